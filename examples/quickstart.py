#!/usr/bin/env python3
"""quickstart.py: a first tour of libreferral from Python.

The same story as quickstart.c. Elm Street Physio records a practitioner, two
clients and the GP surgery down the road, hands each of them a referral code,
and then does what the front desk does all day: looks codes up as people type
them, catches typos and refuses a withdrawn coupon.

The second half is what the codes are for: referrals. The clinic runs two
programmes; a friend of Jane follows her link, books, and goes round the closed
loop (received, accepted, scheduled, seen, closed) until she is a client; the
GP surgery sends an urgent patient whose imaging comes later; Jane sees her
referral without her friend's details; a self-referral is refused. Then it
prints the journal, the log a host application syncs from, and finally the
month's dashboard: exact figures with what they count, and the funnel.

    usage: python3 quickstart.py [DATABASE]      (default: clinic.db)

Run it twice on the same file: the second run finds everything in place and
prints the same story, because every write carries an idempotency key. A call
repeated with the same key returns what the first call created and changes
nothing, which is how real hosts retry safely after a crash or a lost reply.
The store's clock is set by hand as well (store.set_time), so the times
printed are the same on every run.

Failures raise referral.ReferralError subclasses (NotFound, InvalidArgument,
IllegalTransition, ...) whose message is the library's own explanation.
"""

import sys
from datetime import datetime, timedelta, timezone

import referral

PRACTICE = "elm-street-physio"


def padded(text, width):
    """Python pads by characters, so "Zoë Müller" lines up without help."""
    return f"{text:<{width}}"


def expect_refusal(error_class, call, *args, **kwargs):
    """Some steps are *meant* to fail (a typo, a revoked coupon): succeed only
    when the call fails with exactly the error the documentation promises."""
    try:
        call(*args, **kwargs)
    except referral.ReferralError as exc:
        if type(exc) is not error_class:
            raise SystemExit(f"quickstart: {call.__name__} failed with {type(exc).__name__} "
                             f"instead of {error_class.__name__}: {exc}") from exc
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


def march(day, hour, minute):
    """A time in March 2026, UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.utc)


def when(moment):
    """A datetime or int seconds as "Thu 05 Mar 10:30"."""
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return moment.strftime("%a %d %b %H:%M")


def advance(store, ref, at, to, idempotency_key, appointment_at=None):
    """Move a referral on at time ``at``. With the same key a re-run gets the
    referral back as it is now (already CLOSED) instead of an error, so the
    line prints the move that was asked for."""
    store.set_time(at)
    ref.advance(to, appointment_at=appointment_at, idempotency_key=idempotency_key)
    appointment = f", appointment {when(appointment_at)}" if appointment_at else ""
    print(f"  {when(at)}  -> {to}{appointment}")


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

    # ---- The second half: referrals -------------------------------------------

    # A programme holds the rules: how a referee is attributed (here: the last
    # visit through someone's code within 90 days), who may be referred in,
    # what happens when a fraud guard trips.
    print("\n7. Two referral programmes")
    advocates = store.programs.create(name="Client advocates", auto_issue_code=True,  # new clients get a code
                                      idempotency_key="quickstart:program:client-advocates")
    # A GP may send back a patient the clinic already knows.
    gp_partners = store.programs.create(name="GP partners", exclude_existing_clients=False,
                                        idempotency_key="quickstart:program:gp-partners")
    for program in (advocates, gp_partners):
        model = "first touch" if program.attribution == "FIRST_TOUCH" else "last touch"
        who = "new clients only" if program.exclude_existing_clients else "anyone"
        gets_code = ", new clients get a code" if program.auto_issue_code else ""
        print(f"  {program.name:<17} {model} within {program.window_days} days, {who}{gets_code}")

    # A touch is a visit through a code. The host names the visitor with a key
    # of its own (a cookie id here); the library never looks at IPs.
    store.set_time(march(2, 18, 20))
    print(f"\n8. {when(store.now)}: a friend of Jane opens the link in Jane's e-mail")
    visit = store.touches.add(jane_code, "cookie-7f3a", channel="link",
                              idempotency_key="quickstart:touch:cookie-7f3a")
    print(f"  touch recorded: visitor cookie-7f3a came through {jane_code.text} via {visit.channel}")

    # Next morning she books. Only now does the clinic know her: she is a LEAD
    # until she becomes a client. The referral names no referrer: the
    # visitor's touches decide who sent her.
    store.set_time(march(3, 9, 15))
    print(f"\n9. {when(store.now)}: she books online as Alex Morgan")
    alex = store.parties.add(kind="LEAD", display_name="Alex Morgan", email="alex.morgan@example.com",
                             consent={"contact"}, idempotency_key="quickstart:party:alex-morgan")
    alex_ref = store.referrals.create(advocates, alex, visitor_key="cookie-7f3a",
                                      reason="sore knee after running",
                                      idempotency_key="quickstart:referral:alex")
    referrer = store.parties.get(alex_ref.referrer_id)
    print(f"  added as a LEAD; referral received, attributed to {referrer.display_name} "
          f"(source {alex_ref.source}: her visit through {jane_code.text})")

    # The closed loop: each step is journalled and can be reported back.
    print("\n10. Alex's referral goes round the loop")
    advance(store, alex_ref, march(3, 9, 30), "ACCEPTED", "quickstart:referral:alex:accept")
    advance(store, alex_ref, march(3, 9, 35), "SCHEDULED", "quickstart:referral:alex:schedule",
            appointment_at=march(5, 10, 30))
    advance(store, alex_ref, march(5, 10, 30), "SEEN", "quickstart:referral:alex:seen")
    advance(store, alex_ref, march(5, 11, 15), "CLOSED", "quickstart:referral:alex:close")
    # Closing made her a CLIENT, and this programme gave her a code.
    alex = store.parties.get(alex.id)
    alex_code = list(store.codes.list(alex))[0]
    print(f"  {alex.display_name} is now a {alex.kind} (first visit {when(alex.first_visit_at)}) "
          f"with a code of her own: {alex_code.text}")

    # A partner's referral names its referrer (source PARTNER) and may need
    # documents before the clinic can act on it.
    store.set_time(march(5, 14, 0))
    print(f"\n11. {when(store.now)}: Elm Street Surgery sends an urgent patient")
    omar = store.parties.add(kind="LEAD", display_name="Omar Haddad",
                             idempotency_key="quickstart:party:omar-haddad")
    omar_ref = store.referrals.create(gp_partners, omar, referrer=surgery, source="partner", channel="letter",
                                      reason="lower back pain, MRI requested", urgency="urgent",
                                      documents_required=["letter", "imaging"], documents_received=["letter"],
                                      idempotency_key="quickstart:referral:omar")
    complete = "yes" if omar_ref.documents_complete_at_receipt else "no"
    print(f"  Omar Haddad, {omar_ref.urgency}, needs {','.join(omar_ref.documents_required)}; "
          f"all there on arrival: {complete}")
    store.set_time(march(9, 9, 0))
    omar_ref.receive_document("imaging")  # receiving a document twice is harmless: no key needed
    print(f"  {when(store.now)}  the imaging arrives; received: {','.join(omar_ref.documents_received)}")
    advance(store, omar_ref, march(9, 9, 5), "ACCEPTED", "quickstart:referral:omar:accept")

    # What a referrer may see: how far each referral got, the referee by
    # initials unless the referee agreed to share more, never contacts.
    print("\n12. What Jane sees of her referrals")
    for entry in store.referrals.referrer_view(jane):
        print(f"  {entry.referee_label:<8} {entry.status:<8} received {when(entry.received_at)}")

    # The fraud guards run on every inbound referral. A refused call writes
    # nothing, so it needs no idempotency key.
    print(f"\n13. Jane books a session for herself with her own code {jane_code.text}")
    expect_refusal(referral.PolicyViolation, store.referrals.create, advocates, jane, code=jane_code)

    # The FHIR list and the journal name records by id only (the journal never
    # holds personal data), so the host looks up what it needs; here we simply
    # remember what we created.
    names = {p.id: p.display_name for p in (staff, jane, zoe, surgery, alex, omar)}
    names.update({c.id: c.text for c in (jane_code, jane_card, surgery_code, coupon, alex_code)})
    names.update({p.id: p.name for p in (advocates, gp_partners)})
    names.update({visit.id: "visit cookie-7f3a", alex_ref.id: "Alex's referral",
                  omar_ref.id: "Omar's referral"})

    # Systems that speak HL7 FHIR track a referral as a Task: each state maps
    # to a Task.status and a businessStatus.
    print("\n14. Every referral as a FHIR Task")
    for ref in store.referrals.list():
        task, business = ref.fhir
        sender, patient = names.get(ref.referrer_id, "-"), names.get(ref.referee_id, "-")
        print(f"  {sender:<18} -> {patient:<12} {ref.state:<9} Task.status {task:<9} "
              f"businessStatus {business}")

    # The journal records every change; a host keeps the last seq it
    # processed and reads on from there. 0 = from the start.
    print("\n15. The journal, from the start")
    for event in store.journal(after=0):
        print(f"  #{event.seq:<3} {event.type:<17} {padded(names.get(event.subject_id, '-'), 18)} "
              f"{event.data or '-':<26} key {event.idempotency_key or '-'}")

    # Reading is free: a dashboard never writes. Each figure comes with what it
    # counts, and "not defined" (None) when there is nothing to divide by.
    print("\n16. The dashboard for March")
    dashboard = store.kpis.dashboard(march(1, 0, 0), march(31, 0, 0) + timedelta(days=1), currency="EUR")
    report = dashboard.report
    for name in ("received", "scheduled_rate", "closed_rate", "sla_urgent", "thanks_within_48h"):
        value = report.value(name)
        shown = "not defined" if value is None else (
            f"{value}" if name == "received" else
            f"{value:.2f} ({report.numerator(name)} of {report.denominator(name)})")
        print(f"  {name:<18} {shown}")
    for row in dashboard.funnel:
        conversion = "-" if row.conversion is None else f"{row.conversion:.2f}"
        print(f"  funnel {row.key:<10} {row.count:>3}  from the step before: {conversion}")


def main(argv):
    path = argv[1] if len(argv) > 1 else "clinic.db"
    print(f"libreferral {referral.__version__}: quickstart on {path}\n")
    try:
        # A store is scoped to one practice, so several clinics can share a
        # database without seeing each other's records. Closing it is left to
        # the with-statement, on success and on error alike.
        with referral.Store(f"sqlite:{path}", practice=PRACTICE, phone_region="44") as store:
            store.set_time(march(2, 9, 0))  # the story starts on Monday 2 March 2026, 09:00 UTC
            tour(store)
    except referral.ReferralError as exc:
        print(f"quickstart: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print("\nDone. Run me again: nothing is added twice.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
