"""store.codes: vanity slugs, short codes, lookups, revocation, expiry and use limits."""

import datetime as dt
import re
import unittest

import referral
from support import DAY, T0, MemoryBackend, SqliteBackend, StoreFixture

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"
SHORT_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")  # Crockford base 32


def lookalike(text):
    """How a person might retype a short code: lower case, no hyphen, O for 0, l for 1."""
    return text.replace("-", "").replace("0", "O").replace("1", "l").lower()


class CodeCases(StoreFixture):
    def setUp(self):
        super().setUp()
        self.jane = self.store.parties.add(kind="client", display_name="Jane Doe")

    def test_vanity_slugs_count_up(self):
        other = self.store.parties.add(kind="client", display_name="Jane Doe")
        first = self.store.codes.issue(self.jane)
        second = self.store.codes.issue(other.id)
        third = self.store.codes.issue(self.jane, style="VANITY")
        self.assertEqual([first.text, second.text, third.text], ["jane-doe", "jane-doe-2", "jane-doe-3"])
        self.assertEqual(str(first), "jane-doe")
        self.assertEqual(first.style, "VANITY")
        self.assertIs(first.style, referral.CodeStyle.VANITY)
        self.assertEqual(first.owner_id, self.jane.id)
        self.assertEqual(second.owner_id, other.id)
        self.assertEqual(first.created_at, T0)
        self.assertEqual(first.state, "ACTIVE")
        self.assertIsNone(first.expires_at)
        self.assertIsNone(first.revoked_at)
        self.assertIsNone(first.max_uses)
        self.assertEqual(first.uses, 0)

    def test_accented_names_fold(self):
        zoe = self.store.parties.add(kind="client", display_name="Zoë Müller")
        self.assertEqual(self.store.codes.issue(zoe).text, "zoe-muller")
        self.assertEqual(self.store.codes.issue(zoe, vanity_base="Zoë's Run Club").text, "zoes-run-club")
        self.assertEqual(self.store.codes.resolve("ZOE MULLER").owner_id, zoe.id)

    def test_non_latin_name_falls_back_to_a_short_code(self):
        ivan = self.store.parties.add(kind="client", display_name="Иван Петров")
        code = self.store.codes.issue(ivan)
        self.assertEqual(code.style, "SHORT")
        self.assertRegex(code.text, SHORT_CODE)

    def test_short_codes(self):
        partner = self.store.parties.add(kind="partner", display_name="Elm Street Surgery")
        codes = [self.store.codes.issue(partner, style="short", channel="letter", program_id="gp-partners")
                 for _ in range(10)]
        self.assertEqual(len({c.text for c in codes}), 10)
        for code in codes:
            with self.subTest(code=code.text):
                self.assertRegex(code.text, SHORT_CODE)
                self.assertEqual(code.style, referral.CodeStyle.SHORT)
                self.assertEqual(code.channel, "LETTER")
                self.assertEqual(code.program_id, "gp-partners")
                self.assertEqual(self.store.codes.resolve(lookalike(code.text)).id, code.id)
                self.assertEqual(self.store.codes.lookup("  " + code.text.replace("-", "") + " ").id, code.id)

    def test_vanity_lookup_folds(self):
        code = self.store.codes.issue(self.jane)
        for typed in ("JANE DOE", "janedoe", "Jane-Doe", "jane_d0e", " jane-doe "):
            with self.subTest(typed=typed):
                self.assertEqual(self.store.codes.lookup(typed).id, code.id)
                self.assertEqual(self.store.codes.resolve(typed).id, code.id)
        self.assertEqual(self.store.codes.lookup(code), code)  # a Code works as well as its text

    def test_mistyped_check_character(self):
        code = self.store.codes.issue(self.jane, style="short")
        wrong = "A" if code.text[-1] != "A" else "B"
        typo = code.text[:-1] + wrong
        for call in (self.store.codes.lookup, self.store.codes.resolve, self.store.codes.use,
                     self.store.codes.revoke):
            with self.subTest(call=call.__name__):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, call, typo)
                self.assertReferralError(exc, -5, "check character")

    def test_unknown_and_impossible_codes(self):
        self.store.codes.issue(self.jane)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.codes.lookup, "no-such-code")
        self.assertReferralError(exc, -3, "no-such-code")
        for text in ("", " - ", "€uro"):
            with self.subTest(text=text):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.codes.lookup, text)
                self.assertEqual(exc.code, -5)
        self.assertRaisesUnchanged(TypeError, self.store.codes.lookup, None)

    def test_revoke_then_resolve(self):
        code = self.store.codes.issue(self.jane)
        self.store.advance(2 * DAY)
        revoked = self.store.codes.revoke("JANE-DOE", reason="card lost", idempotency_key="rv-1")
        self.assertEqual(revoked.id, code.id)
        self.assertEqual(revoked.revoked_at, T0 + 2 * DAY)
        self.assertEqual(revoked.revoked_at_dt, dt.datetime(2026, 3, 3, tzinfo=UTC))
        self.assertEqual(revoked.revoke_reason, "card lost")
        self.assertEqual(revoked.state, "REVOKED")
        self.assertEqual(revoked.state_at(T0 + 3 * DAY), "REVOKED")

        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.codes.resolve, "jane-doe")
        self.assertReferralError(exc, -7, "revoked", "2026-03-03")
        self.assertEqual(self.store.codes.lookup("jane-doe").state, "REVOKED")  # still found for display
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.codes.revoke, "jane-doe")
        self.assertReferralError(exc, -7, "already revoked")
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.codes.use, "jane-doe")
        self.assertReferralError(exc, -7, "revoked")
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.codes.revoke, "nobody")
        self.assertEqual(exc.code, -3)

    def test_revoke_is_idempotent_with_a_key(self):
        self.store.codes.issue(self.jane)
        first = self.store.codes.revoke("jane-doe", reason="card lost", idempotency_key="rv-1")
        seq = self.store.journal_last_seq()
        again = self.store.codes.revoke("jane-doe", reason="card lost", idempotency_key="rv-1")
        self.assertEqual(again.id, first.id)
        self.assertEqual(self.store.journal_last_seq(), seq)

    def test_expiry(self):
        code = self.store.codes.issue(self.jane, vanity_base="Spring Promo",
                                      expires_at=dt.datetime(2026, 3, 8, tzinfo=UTC))
        self.assertEqual(code.text, "spring-promo")
        self.assertEqual(code.expires_at, T0 + 7 * DAY)
        self.assertEqual(code.expires_at_dt, dt.datetime(2026, 3, 8, tzinfo=UTC))
        self.assertEqual(code.state_at(T0 + 6 * DAY), "ACTIVE")
        self.assertEqual(code.state_at(T0 + 8 * DAY), "EXPIRED")
        self.store.set_time(T0 + 6 * DAY)
        self.assertEqual(self.store.codes.resolve("spring-promo").state, "ACTIVE")
        self.store.set_time(T0 + 8 * DAY)
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.codes.resolve, "spring-promo")
        self.assertReferralError(exc, -7, "expired")
        self.assertEqual(self.store.codes.lookup("spring-promo").state, referral.CodeState.EXPIRED)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.codes.issue, self.jane,
                                         expires_at=T0)
        self.assertReferralError(exc, -5, "not in the future")

    def test_single_use_coupon(self):
        coupon = self.store.codes.issue(self.jane, vanity_base="welcome", max_uses=1, channel="in-person")
        self.assertEqual(coupon.max_uses, 1)
        self.assertEqual(coupon.channel, referral.Channel.IN_PERSON)
        used = self.store.codes.use("welcome", idempotency_key="use-1")
        self.assertEqual(used.uses, 1)
        self.assertEqual(used.state, "USED_UP")
        retry = self.store.codes.use("welcome", idempotency_key="use-1")  # same key: same result
        self.assertEqual(retry.uses, 1)
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.codes.use, "welcome")
        self.assertReferralError(exc, -7, "used up")
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.codes.resolve, "welcome")
        self.assertEqual(exc.code, -7)
        self.assertEqual([e.data for e in self.store.journal() if e.type == "code.used"], ["uses=1"])

    def test_unlimited_code_counts_uses(self):
        self.store.codes.issue(self.jane)
        for n in range(1, 4):
            self.assertEqual(self.store.codes.use("jane-doe").uses, n)
        self.assertEqual(self.store.codes.resolve("jane-doe").state, "ACTIVE")

    def test_list_codes(self):
        first = self.store.codes.issue(self.jane)
        self.store.advance(DAY)
        second = self.store.codes.issue(self.jane, style="short", channel="sms")
        other = self.store.parties.add(kind="client", display_name="John Roe")
        self.store.codes.issue(other)
        self.assertEqual([c.id for c in self.store.codes.list(self.jane)], [first.id, second.id])
        self.assertEqual([c.text for c in self.store.codes.list(other.id)], ["john-roe"])
        ann = self.store.parties.add(kind="client", display_name="Ann Able")
        self.assertEqual(list(self.store.codes.list(ann)), [])
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.codes.list, UNKNOWN_ID)
        self.assertEqual(exc.code, -3)

    def test_issue_refusals_change_nothing(self):
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.codes.issue, UNKNOWN_ID)
        self.assertReferralError(exc, -3, "not found")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.codes.issue, self.jane, max_uses=-5)
        self.assertReferralError(exc, -5, "max_uses")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.codes.issue, self.jane,
                                         vanity_base=b"Jane \xc3")
        self.assertReferralError(exc, -5, "UTF-8")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.codes.issue, self.jane,
                                         vanity_base="Jane \udc80")
        self.assertEqual(exc.code, -5)
        for fields in (dict(style="fancy"), dict(channel="pigeon"), dict(channel=99)):
            with self.subTest(**{k: str(v) for k, v in fields.items()}):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.codes.issue, self.jane,
                                                 **fields)
                self.assertEqual(exc.code, -5)

    def test_idempotent_issue(self):
        first = self.store.codes.issue(self.jane, idempotency_key="issue-1")
        seq = self.store.journal_last_seq()
        again = self.store.codes.issue(self.jane, idempotency_key="issue-1")
        self.assertEqual(again.id, first.id)
        self.assertEqual(self.store.journal_last_seq(), seq)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.codes.issue, self.jane, style="short",
                                         idempotency_key="issue-1")
        self.assertReferralError(exc, -6, "issue-1")


class MemoryCodeTest(MemoryBackend, CodeCases, unittest.TestCase):
    pass


class SqliteCodeTest(SqliteBackend, CodeCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
