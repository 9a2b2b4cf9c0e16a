#!/usr/bin/env python3
"""quickstart.py: a first tour of libreferral from Python.

The same story as quickstart.c. Elm Street Physio records a practitioner, two
clients and the GP surgery down the road, hands each of them a referral code,
and then does what the front desk does all day: looks codes up as people type
them, catches typos and refuses a withdrawn coupon. Finally it prints the
journal, the log a host application syncs from.

    usage: python3 quickstart.py [DATABASE]      (default: clinic.db)

Run it twice on the same file: the second run finds everything in place and
prints the same story, because every write carries an idempotency key. A call
repeated with the same key returns what the first call created and changes
nothing, which is how real hosts retry safely after a crash or a lost reply.

Failures raise referral.ReferralError subclasses (NotFound, InvalidArgument,
IllegalTransition, ...) whose message is the library's own explanation.
"""

import sys

import referral

PRACTICE = "elm-street-physio"


def padded(text, width):
    """Python pads by characters, so "Zoë Müller" lines up without help."""
    return f"{text:<{width}}"


def expect_refusal(error_class, call, *args):
    """Some steps are *meant* to fail (a typo, a revoked coupon)."""
    try:
        call(*args)
    except error_class as exc:
        print(f"  -> refused, as it should be: {exc}")
        return
    raise SystemExit(f"quickstart: {call.__name__}{args!r} unexpectedly succeeded")


def add_party(store, **fields):
    party = store.parties.add(**fields)
    print(f"  {party.kind:<8} {padded(party.display_name, 20)} id {party.id}")
    return party


def issue_code(store, owner, **options):
    code = store.codes.issue(owner, **options)  # a Party or its id
    style = "short code" if code.style == "SHORT" else "vanity code"
    single = ", single use" if code.max_uses == 1 else ""
    print(f"  {padded(owner.display_name, 20)} -> {code.text:<12} ({style}, via {code.channel}{single})")
    return code


def tour(store):
    print("1. The people the clinic deals with")
    staff = add_party(store, kind="STAFF", display_name="Dr Sam Patel",
                      idempotency_key="quickstart:party:sam-patel")
    # Contacts are personal data: the library normalises them (the e-mail is
    # stored lower-cased) and checks duplicates through pseudonymous keys.
    # Consent decides whether Jane may be asked for referrals and named to the
    # friends she sends.
    jane = add_party(store, kind="CLIENT", display_name="Jane Doe", email="Jane.Doe@Example.com",
                     consent={"contact", "named"}, practitioner=staff,
                     idempotency_key="quickstart:party:jane-doe")
    # phone_region "44" lets staff type UK numbers the way they are written locally.
    zoe = add_party(store, kind="CLIENT", display_name="Zoë Müller", phone="07700 900123",
                    consent={"contact"}, idempotency_key="quickstart:party:zoe-muller")
    # A professional referrer: GP partners get their own codes and, later,
    # closed-loop updates about the patients they send.
    surgery = add_party(store, kind="PARTNER", display_name="Elm Street Surgery",
                        email="referrals@elmstreetsurgery.example",
                        idempotency_key="quickstart:party:elm-street-surgery")
    print(f"  Jane's e-mail as stored: {jane.email}; Zoë's phone as stored: {zoe.phone}")

    print("\n2. Referral codes")
    # A vanity code is built from the owner's name: easy to say aloud. A party
    # may hold several codes, one per channel; the second gets a suffix,
    # since codes are unique per practice.
    jane_code = issue_code(store, jane, style="vanity", channel="EMAIL",
                           idempotency_key="quickstart:code:jane-email")
    jane_card = issue_code(store, jane, style="vanity", channel="CARD",
                           idempotency_key="quickstart:code:jane-card")
    # A short code for printed letters: no look-alike letters, and a check
    # character so that a typo is caught instead of crediting someone else.
    surgery_code = issue_code(store, surgery, style="short", channel="LETTER",
                              idempotency_key="quickstart:code:surgery-letter")
    # A "bring a friend" coupon that works once. Accents fold into the slug.
    coupon = issue_code(store, zoe, style="vanity", channel="SMS", max_uses=1,
                        idempotency_key="quickstart:code:zoe-bring-a-friend")

    print('\n3. A new client says "my friend\'s code is JANE DOE"')
    # Resolving folds case, spaces, hyphens and look-alikes, and refuses codes
    # that are revoked, expired or used up.
    found = store.codes.resolve("JANE DOE")
    owner = store.parties.get(found.owner_id)
    print(f"  -> code {found.text} belongs to {owner.display_name}, who sent this client")

    # Change only the check character: every other symbol is right, so the
    # library can say the code was mistyped, not merely unknown.
    typo = surgery_code.text[:-1] + ("Y" if surgery_code.text.endswith("X") else "X")
    print(f"\n4. The surgery's code {surgery_code.text} is copied from a letter as {typo}")
    expect_refusal(referral.InvalidArgument, store.codes.lookup, typo)

    print(f"\n5. Zoë's coupon {coupon.text} is withdrawn")
    # The revoke has its own key, so a re-run gets the first revoke's result
    # back instead of tripping over "already revoked".
    store.codes.revoke(coupon.text, reason="offer ended", idempotency_key="quickstart:revoke:zoe-coupon")
    print("  revoked; a friend who still has the text message tries it:")
    expect_refusal(referral.IllegalTransition, store.codes.resolve, coupon.text)

    print("\n6. Jane's codes")
    for code in store.codes.list(jane):
        print(f"  {code.text:<12} via {code.channel:<6} used {code.uses} time(s)")

    # The journal records every change, without personal data; a host keeps
    # the last seq it processed and reads on from there. 0 = from the start.
    print("\n7. The journal, from the start")
    names = {p.id: p.display_name for p in (staff, jane, zoe, surgery)}
    names.update({c.id: c.text for c in (jane_code, jane_card, surgery_code, coupon)})
    for event in store.journal(after=0):
        print(f"  #{event.seq:<3} {event.type:<13} {padded(names.get(event.subject_id, '-'), 19)} "
              f"{event.data or '-':<13} key {event.idempotency_key or '-'}")


def main(argv):
    path = argv[1] if len(argv) > 1 else "clinic.db"
    print(f"libreferral {referral.__version__}: quickstart on {path}\n")
    try:
        # A store is scoped to one practice, so several clinics can share a
        # database without seeing each other's records. Closing it is left to
        # the with-statement, on success and on error alike.
        with referral.Store(f"sqlite:{path}", practice=PRACTICE, phone_region="44") as store:
            tour(store)
    except referral.ReferralError as exc:
        print(f"quickstart: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print("\nDone. Run me again: nothing is added twice.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
