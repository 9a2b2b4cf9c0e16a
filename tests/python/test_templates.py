"""Message templates and rendering through Python: the built-in words, a
practice's and a programme's own and which one applies, what a save refuses
(with nothing changed), and rendering tasks: escaping for the channel, what
each recipient may see of the others, the practice's name and link base."""

import threading
import unittest

import referral
from referral import Rendered, Template, TemplateSource, core
from support import DAY, T0, MemoryBackend, OutboxFixture, SqliteBackend

UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"
PRACTICE = "Elm Street Physio"
LINK = "https://elm.example/r/"


class TemplateFixture(OutboxFixture):
    """OutboxFixture whose snapshot() also covers the template that applies to
    every message, practice-wide and in every programme."""

    def setUp(self):
        super().setUp()
        self.templates = self.store.outbox.templates

    def snapshot(self, store=None, journal=True):
        store = store or self.store
        state = super().snapshot(store, journal)
        scopes = [None] + [p.id for p in store.programs.list()]
        return state + ({scope: [t.to_dict() for t in store.outbox.templates.list(scope)] for scope in scopes},)

    def render(self, task, practice_name=PRACTICE, link_base=LINK):
        """Render ``task``, checking that rendering changes nothing."""
        before = self.snapshot()
        rendered = self.store.outbox.render(task, practice_name=practice_name, link_base=link_base)
        self.assertEqual(self.snapshot(), before, "rendering changed the store")
        self.assertIsInstance(rendered, Rendered)
        return rendered

    def assertRenders(self, task, subject, body, **kwargs):
        self.assertEqual(tuple(self.render(task, **kwargs)), (subject, body))

    def story(self, referrer_consent=("contact",), referee_consent=("contact",)):
        """Jane Smith (a client with a code in the programme) refers Liam O'Brien
        (a lead with an e-mail address and a phone) through her code: the
        referral, and the thanks to Jane and the first intro to Liam."""
        self.referrer = self.client("Jane Smith", consent=referrer_consent)
        self.referrer_code = self.store.codes.issue(self.referrer, program_id=self.program.id)
        self.referee = self.lead("Liam O'Brien", email="liam@example.net", phone="+44 7700 900123",
                                 consent=set(referee_consent))
        ref = self.refer(self.referee, code=self.referrer_code.text)
        self.assertEqual(ref.referrer_id, self.referrer.id)
        [thanks] = self.tasks(kind="thank_referrer", referral=ref)
        intro = self.tasks(kind="referee_intro", referral=ref)[0]
        return ref, thanks, intro

    def consent(self, party, *names):
        self.store.parties.update(party, consent=set(names))


class TemplateCases(TemplateFixture):
    # --- the built-in words -----------------------------------------------------------------

    def test_names_are_a_fixed_list(self):
        names = self.templates.names()
        self.assertIs(names, referral.TEMPLATE_NAMES)
        self.assertEqual(names[:4], ("thank_referrer", "referee_intro.1", "referee_intro.2", "referee_intro.3"))
        self.assertEqual(names[-6:], ("ask.sms.new", "ask.sms.long", "ask.email.new", "ask.email.long",
                                      "ask.in_person.new", "ask.in_person.long"))
        for name in ("partner.scheduled", "partner.visit_summary", "partner.closure", "status_notice",
                     "tier_nudge", "reward_notice", "reward_notice.held", "sla_breach"):
            self.assertIn(name, names)
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual([core.rf_template_name_at(i) for i in range(len(names))], list(names))
        self.assertIsNone(core.rf_template_name_at(len(names)))

    def test_built_ins_are_found_for_every_message(self):
        for program in (None, self.program, self.program.id):
            listed = self.templates.list(program)
            self.assertEqual([t.name for t in listed], list(self.templates.names()))
            self.assertEqual(list(self.templates), self.templates.list())
            for t in listed:
                with self.subTest(name=t.name, program=program):
                    self.assertIsInstance(t, Template)
                    self.assertIs(t.source, TemplateSource.BUILT_IN)
                    self.assertIs(t.is_built_in, True)
                    self.assertEqual((t.program_id, t.updated_at, t.updated_at_dt), (None, None, None))
                    self.assertTrue(t.body)
                    self.assertEqual(self.templates.get(t.name, program), t)
        thanks = self.templates.get("thank_referrer")
        self.assertEqual(thanks.subject, "Thank you for thinking of us")
        self.assertTrue(thanks.body.startswith("Dear {{recipient.first_name|friend}},"))
        self.assertEqual(thanks.to_dict(), {"name": "thank_referrer", "program_id": None, "source": "BUILT_IN",
                                            "subject": "Thank you for thinking of us", "body": thanks.body,
                                            "updated_at": None})
        self.assertEqual(repr(thanks), "<Template thank_referrer BUILT_IN>")
        self.assertIsNone(self.templates.get("ask.sms.new").subject)      # an SMS has no subject line
        self.assertEqual(self.templates.get("ask.email.new").subject, "Know someone we could help?")
        self.assertNotEqual(self.templates.get("ask.sms.new").body, self.templates.get("ask.sms.long").body)

    # --- saving, and which one applies ----------------------------------------------------------

    def test_programme_then_practice_then_built_in(self):
        autumn = self.store.programs.create(name="Autumn")
        self.store.advance(60)
        seq = self.store.journal_last_seq()
        practice = self.templates.save("thank_referrer", "Thank you, {{recipient.first_name}}.",
                                       subject="Thanks from us")
        self.assertIs(practice.source, TemplateSource.PRACTICE)
        self.assertEqual((practice.name, practice.program_id, practice.subject, practice.updated_at),
                         ("thank_referrer", None, "Thanks from us", T0 + 60))
        self.assertEqual(practice.updated_at_dt.timestamp(), T0 + 60)
        [saved] = self.journal_since(seq)
        self.assertEqual((saved.type, saved.object_id, saved.data), (core.RF_EVENT_TEMPLATE_SAVED, None,
                                                                     "name=thank_referrer"))
        # The practice's words apply everywhere, in every programme.
        for program in (None, self.program, autumn):
            self.assertEqual(self.templates.get("thank_referrer", program), practice)

        self.store.advance(60)
        seq = self.store.journal_last_seq()
        own = self.templates.save("thank_referrer", "Spring thanks, {{recipient.first_name}}.",
                                  program=self.program)
        self.assertIs(own.source, TemplateSource.PROGRAM)
        self.assertEqual((own.program_id, own.subject, own.updated_at), (self.program.id, None, T0 + 120))
        [saved] = self.journal_since(seq)
        self.assertEqual((saved.type, saved.object_id), (core.RF_EVENT_TEMPLATE_SAVED, self.program.id))
        self.assertEqual(self.templates.get("thank_referrer", self.program.id), own)
        self.assertEqual(self.templates.get("thank_referrer", autumn), practice)
        self.assertEqual(self.templates.get("thank_referrer"), practice)
        self.assertIs(self.templates.get("status_notice", self.program).source, TemplateSource.BUILT_IN)

        # A programme's own words stand without practice-wide ones.
        autumn_ask = self.templates.save("ask.sms.new", "Autumn ask", program=autumn.id)
        self.assertEqual(self.templates.get("ask.sms.new", autumn), autumn_ask)
        self.assertIs(self.templates.get("ask.sms.new").source, TemplateSource.BUILT_IN)
        self.assertIs(self.templates.get("ask.sms.new", self.program).source, TemplateSource.BUILT_IN)
        sources = {t.name: t.source.name for t in self.templates.list(autumn) if not t.is_built_in}
        self.assertEqual(sources, {"thank_referrer": "PRACTICE", "ask.sms.new": "PROGRAM"})
        self.assertEqual(len(self.journal_since(0, core.RF_EVENT_TEMPLATE_SAVED)), 3)

    def test_a_save_replaces_the_one_before_and_the_same_words_change_nothing(self):
        first = self.templates.save("ask.email.new", "First words", subject="Hello", program=self.program)
        self.store.advance(3600)
        second = self.templates.save("ask.email.new", "Second words", program=self.program)
        self.assertEqual((second.body, second.subject, second.updated_at), ("Second words", None, T0 + 3600))
        self.assertEqual(self.templates.get("ask.email.new", self.program), second)
        self.assertNotEqual(first, second)
        saves = self.journal_since(0, core.RF_EVENT_TEMPLATE_SAVED)
        self.assertEqual(len(saves), 2)
        self.assertEqual(saves[0].subject_id, saves[1].subject_id)  # one template, replaced

        before = self.snapshot()
        self.store.advance(60)
        again = self.templates.save("ask.email.new", b"Second words", subject="", program=self.program)
        self.assertEqual(again, second)                 # an empty subject is no subject; bytes are UTF-8
        self.assertEqual(self.snapshot(), before)

    def test_a_retried_save_changes_nothing(self):
        saved = self.templates.save("tier_nudge", "{{tier.to_next}} to go!", idempotency_key="tpl-1")
        before = self.snapshot()
        self.store.advance(60)
        self.assertEqual(self.templates.save("tier_nudge", "{{tier.to_next}} to go!", idempotency_key="tpl-1"),
                         saved)
        self.assertEqual(self.snapshot(), before)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.templates.save, "tier_nudge", "Other words",
                                         idempotency_key="tpl-1")
        self.assertEqual((exc.code, exc.error_class), (core.RF_ECONFLICT, core.RF_ERRCLASS_IDEMPOTENCY))

    # --- refusals --------------------------------------------------------------------------------

    def test_refusals_name_the_problem_and_change_nothing(self):
        self.templates.save("thank_referrer", "Kept words", subject="Kept", program=self.program)
        too_long = "a" * 16385
        cases = [
            # (name, body, subject, fragments of the message)
            ("ask.fax.new", "Hello", None, ("unknown message name 'ask.fax.new'", "thank_referrer")),
            ("thank_referrer", "Hi {{referrer.nickname}}", None,
             ("template 'thank_referrer' has an unknown placeholder 'referrer.nickname' at byte 3",
              "referee.name")),
            # A placeholder another message offers is unknown to this one.
            ("thank_referrer", "You have {{tier.count}}", None, ("unknown placeholder 'tier.count' at byte 9",)),
            ("ask.sms.new", "Hi {{referrer.name}}", None, ("unknown placeholder 'referrer.name'",)),
            ("thank_referrer", "Hi {{recipient.first_name", None, ("unterminated placeholder at byte 3",)),
            ("thank_referrer", "Hi {{recipient.first_name\n}}", None, ("unterminated placeholder",)),
            ("thank_referrer", "Hi }} there", None, ("'}}' at byte 3 outside a placeholder",)),
            ("thank_referrer", "Hi {{a{b}}", None, ("nested braces",)),
            # Invalid UTF-8 as bytes, and a lone surrogate (which encodes to invalid UTF-8).
            ("thank_referrer", b"Caf\xc3 ok", None, ("is not valid UTF-8 (at byte 3)",)),
            ("thank_referrer", "Caf\udce9 ok", None, ("is not valid UTF-8 (at byte 3)",)),
            ("thank_referrer", "Hi\r\nthere", None, ("control character at byte 2",)),
            ("thank_referrer", too_long, None, ("is 16385 bytes long; the limit is 16384",)),
            ("thank_referrer", "", None, ("template 'thank_referrer' needs a body",)),
            ("thank_referrer", "Body", "Hi\n{{recipient.first_name}}",
             ("the subject of template 'thank_referrer' contains a control character at byte 2",)),
            ("thank_referrer", "Body", "Hi {{sla.due}}", ("unknown placeholder 'sla.due'",)),
            ("thank_referrer", "Body", b"\xff", ("subject of template 'thank_referrer' is not valid UTF-8",)),
            ("thank_referrer", "Body", "\udcff", ("subject of template 'thank_referrer' is not valid UTF-8",)),
            ("thank_referrer", "a\0b", None, ("body contains a NUL character",)),
        ]
        for name, body, subject, fragments in cases:
            for program in (None, self.program):
                with self.subTest(name=name, body=body[:40], subject=subject, program=program):
                    exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.templates.save, name, body,
                                                     subject=subject, program=program)
                    self.assertReferralError(exc, core.RF_EINVALID, *fragments)
                    self.assertIsInstance(exc, ValueError)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.templates.save, "thank_referrer", "Hi",
                                         program=UNKNOWN_ID)
        self.assertReferralError(exc, core.RF_ENOTFOUND, UNKNOWN_ID)
        for bad in (dict(name=5, body="Hi"), dict(name="thank_referrer", body=None),
                    dict(name="thank_referrer", body="Hi", subject=3)):
            with self.subTest(bad=bad):
                self.assertRaisesUnchanged(TypeError, self.templates.save, **bad)
        self.assertRaisesUnchanged(TypeError, self.templates.save, "thank_referrer", "Hi", program=7)

    def test_get_refuses_unknown_names_and_programmes(self):
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.templates.get, "thank_you")
        self.assertReferralError(exc, core.RF_EINVALID, "unknown message name 'thank_you'")
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_OUTBOX)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.templates.get, "thank_referrer", UNKNOWN_ID)
        self.assertReferralError(exc, core.RF_ENOTFOUND)
        self.assertRaisesUnchanged(TypeError, self.templates.get, None)

    # --- rendering: an ask by SMS and by e-mail ----------------------------------------------------

    def test_an_ask_by_sms_and_by_email_escapes_for_its_channel(self):
        name = "Kate O'Brien <b>"
        new = T0 - 10 * DAY
        texted = self.store.parties.add(kind="client", display_name=name, phone="+44 7700 900001",
                                        consent={"contact"}, first_visit_at=new)
        mailed = self.store.parties.add(kind="client", display_name=name, email="kate@example.org",
                                        consent={"contact"}, first_visit_at=new)
        texted_code = self.store.codes.issue(texted, program_id=self.program.id)
        mailed_code = self.store.codes.issue(mailed, program_id=self.program.id)
        for party in (texted, mailed):
            self.store.events.add(party, "nps", value=10)
        [sms] = self.tasks(party=texted, kind="ask")
        [mail] = self.tasks(party=mailed, kind="ask")
        self.assertEqual((sms.template, sms.channel), ("ask.sms.new", "SMS"))
        self.assertEqual((mail.template, mail.channel), ("ask.email.new", "EMAIL"))

        body = (f"Hi Kate, thanks for choosing {PRACTICE}. If someone you know could use our help, we would "
                f"love to see them: {LINK}{texted_code.text}")
        self.assertRenders(sms, None, body)
        self.assertLessEqual(len(body), 160)                 # one SMS, link included
        self.assertRenders(sms.id, None, body)               # a task id does as well as a Task
        self.assertRenders(
            mail, "Know someone we could help?",
            f"Dear Kate,\n\nWe are so glad you chose {PRACTICE}, and we hope your first visits have helped.\n\n"
            "Most people find us because someone they trust mentioned us. If you know someone who could use "
            f"our help, you are welcome to pass this on to them: {LINK}{mailed_code.text}.\n\nThere is no "
            "obligation at all. Thank you for being here.\n\nWarm wishes,\nThe team")

        # Values are escaped for e-mail and left alone in an SMS; the template's own markup stays.
        words = "Hi {{recipient.name}}, <i>thanks</i> from {{practice.name}}"
        self.templates.save("ask.sms.new", words, program=self.program)
        self.templates.save("ask.email.new", words, subject="For {{recipient.name}}", program=self.program)
        self.assertRenders(sms, None, "Hi Kate O'Brien <b>, <i>thanks</i> from Smith & Jones",
                           practice_name="Smith & Jones")
        subject, body = self.render(mail, practice_name="Smith & Jones")
        self.assertEqual(subject, "For Kate O'Brien <b>")    # a subject is a header line, not HTML
        self.assertEqual(body, "Hi Kate O&#39;Brien &lt;b&gt;, <i>thanks</i> from Smith &amp; Jones")
        # The rendered words are personal data: a repr (and so a log line) shows none of them.
        rendered = self.render(mail, practice_name="Smith & Jones")
        self.assertEqual(repr(rendered), f"<Rendered subject 20 chars, body {len(body)} chars>")
        self.assertNotIn("Kate", str(rendered))
        self.assertEqual(rendered.to_dict(), {"subject": subject, "body": body})

    def test_a_long_standing_client_gets_the_other_script(self):
        loyal = self.store.parties.add(kind="client", display_name="Ruth Hale", phone="+44 7700 900002",
                                       consent={"contact"}, first_visit_at=T0 - 400 * DAY)
        self.store.events.add(loyal, "nps", value=10)
        [ask] = self.tasks(party=loyal, kind="ask")
        self.assertEqual(ask.template, "ask.sms.long")
        self.assertRenders(ask, None, "Hi Ruth, it is always a pleasure to see you. If a friend could use our "
                                      "help, feel free to pass this on: they can just mention your name")

    # --- rendering: who may see what ----------------------------------------------------------------

    def test_the_referee_sees_the_referrer_named_only_with_consent(self):
        ref, _thanks, intro = self.story()
        link = LINK + self.referrer_code.text
        self.assertRenders(intro, "Someone who knows you thought we could help",
                           f"Hi Liam, a friend of yours suggested we get in touch. We would be glad to welcome "
                           f"you at {PRACTICE}. You can book at {link}.")
        self.templates.save("referee_intro.1",
                            "{{referrer.first_name|?}} / {{referrer.name|(not named)}} / {{code.text}}",
                            subject="From {{referrer.name|a friend}}", program=self.program)
        self.assertRenders(intro, "From a friend", f"? / (not named) / {self.referrer_code.text}")
        # Jane agrees to be named: the same task now names her.
        self.consent(self.referrer, "contact", "named")
        self.assertRenders(intro, "From Jane Smith", f"Jane / Jane Smith / {self.referrer_code.text}")

    def test_the_referrer_sees_the_referees_contact_only_if_shared(self):
        ref, thanks, intro = self.story()
        probe = "{{referee.first_name}}|{{referee.name}}|{{referee.email|no email}}|{{referee.phone|no phone}}"
        for name in ("thank_referrer", "referee_intro.1"):
            self.templates.save(name, probe, program=self.program)
        everything = f"Liam|Liam O&#39;Brien|liam@example.net|{self.referee.phone}"
        self.assertEqual(thanks.channel, "EMAIL")
        self.assertRenders(thanks, None, "L.|L. O.|no email|no phone")
        self.assertRenders(intro, None, everything)         # the referee's own details, to the referee
        self.consent(self.referee, "contact", "share_contact")
        self.assertRenders(thanks, None, everything)

    # --- rendering: the practice's name and link base ---------------------------------------------------

    def test_practice_name_and_link_base(self):
        ref, thanks, intro = self.story()
        self.assertRenders(thanks, "Thank you for thinking of us",
                           f"Dear Jane,\n\nThank you for referring L. to {PRACTICE}. We will take good care of "
                           f"them.\n\nWarm wishes,\n{PRACTICE}")
        # Without them the fallbacks speak.
        self.assertRenders(thanks, "Thank you for thinking of us",
                           "Dear Jane,\n\nThank you for referring L. to us. We will take good care of them."
                           "\n\nWarm wishes,\nThe team", practice_name=None, link_base=None)
        self.templates.save("referee_intro.1", "{{practice.name|no practice}} {{code.link|no link}}",
                            subject="{{practice.name|P}}")
        self.assertRenders(intro, "P", "no practice no link", practice_name=None, link_base=None)
        self.assertRenders(intro, "Oak & Ash", f"Oak &amp; Ash https://oak.example/?c={self.referrer_code.text}",
                           practice_name="Oak & Ash", link_base="https://oak.example/?c=")
        self.assertRenders(intro, "P", "no practice no link", practice_name="", link_base="")

    def test_render_refusals_change_nothing(self):
        ref, thanks, intro = self.story()
        render = self.store.outbox.render
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, render, intro, link_base="https://x.example/\n")
        self.assertReferralError(exc, core.RF_EINVALID, "link_base contains a control character")
        for practice_name in (b"Elm\xff", "Elm\udcff"):
            exc = self.assertRaisesUnchanged(referral.InvalidArgument, render, intro, practice_name=practice_name)
            self.assertReferralError(exc, core.RF_EINVALID, "practice_name is not valid UTF-8")
        exc = self.assertRaisesUnchanged(referral.NotFound, render, UNKNOWN_ID)
        self.assertReferralError(exc, core.RF_ENOTFOUND, "no task")
        self.assertRaisesUnchanged(TypeError, render, 42)
        self.assertRaisesUnchanged(TypeError, render, intro, practice_name=3)
        with self.assertRaises(TypeError):
            core.rf_task_render(self.store._h, intro.id, {"practice": "Elm"})

        # More than 64 KiB of output is refused, not cut.
        self.templates.save("referee_intro.1", "{{code.link}}" * 70, program=self.program)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, render, intro, link_base="b" * 1000)
        self.assertReferralError(exc, core.RF_EINVALID,
                                 "template 'referee_intro.1' renders to more than 65536 bytes")

    # --- the low-level calls ----------------------------------------------------------------------------

    def test_low_level_calls(self):
        ref, thanks, intro = self.story()
        h = self.store._h
        t = core.rf_template_save(h, {"name": "ask.sms.new", "body": "Hi {{recipient.first_name}}"})
        self.assertEqual((core.rf_template_name(t), core.rf_template_get_source(t), core.rf_template_subject(t)),
                         ("ask.sms.new", core.RF_TEMPLATE_PRACTICE, None))
        core.rf_template_free(t)                             # disowns the proxy; accessors then answer None
        self.assertIsNone(core.rf_template_name(t))
        g = core.rf_template_get(h, None, "ask.sms.new")
        self.assertEqual(core.rf_template_body(g), "Hi {{recipient.first_name}}")
        with self.assertRaises(TypeError):
            core.rf_template_save(h, {"name": "ask.sms.new", "text": "Hi"})
        # (subject, body): a tuple even when there is no subject; None options are the defaults.
        self.templates.save("thank_referrer", "Thanks, {{recipient.first_name}}")
        self.assertEqual(core.rf_task_render(h, thanks.id, None), (None, "Thanks, Jane"))
        self.assertEqual(core.rf_task_render(h, intro.id, {"practice_name": "Elm"})[0],
                         "Someone who knows you thought we could help")

    def test_rendering_from_threads(self):
        """Renders from several threads on one store are serialised by its
        lock (the GIL is released inside) and agree."""
        ref, thanks, intro = self.story()
        expected = self.store.outbox.render(intro, practice_name=PRACTICE, link_base=LINK)
        results, errors = [], []

        def work():
            try:
                for _ in range(20):
                    results.append(self.store.outbox.render(intro, practice_name=PRACTICE, link_base=LINK))
            except Exception as exc:  # reported below, on the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(results, [expected] * 80)


class MemoryTemplateTest(MemoryBackend, TemplateCases, unittest.TestCase):
    pass


class SqliteTemplateTest(SqliteBackend, TemplateCases, unittest.TestCase):
    def test_saved_templates_are_stored(self):
        own = self.templates.save("thank_referrer", "Spring thanks", program=self.program)
        practice = self.templates.save("ask.sms.new", "Practice ask", subject="Ignored by SMS")
        with self.open_store() as other:
            templates = other.outbox.templates
            self.assertEqual(templates.get("thank_referrer", self.program), own)
            self.assertEqual(templates.get("ask.sms.new", self.program), practice)
            self.assertIs(templates.get("thank_referrer").source, TemplateSource.BUILT_IN)
            # A save through one handle is seen by the other.
            replaced = templates.save("thank_referrer", "Autumn thanks", program=self.program)
        self.assertEqual(self.templates.get("thank_referrer", self.program), replaced)


if __name__ == "__main__":
    unittest.main()
