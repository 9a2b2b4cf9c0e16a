/* The built-in scripts: libreferral's own words for every message, and the
 * placeholders each message offers.
 *
 * The scripts are plain text that is also safe as HTML (no '<', '>' or '&'),
 * because most messages go out by whichever channel reaches their recipient:
 * one text serves an SMS, an e-mail and a script read at the front desk.
 * Every value that may be absent carries a fallback that still reads as a
 * sentence, so a message to a referee whose referrer did not consent to be
 * named says "a friend of yours" rather than leaving a gap. */
#include <string.h>

#include "core/templates_internal.h"

/* What every message can say: who it is for, the practice, the practitioner
 * and the recipient's code. */
#define COMMON                                                                                               \
    "recipient.first_name", "recipient.name", "practice.name", "practitioner.name", "code.text", "code.link"
/* What a message about a referral can say as well. */
#define REFERRAL                                                                                             \
    "referrer.first_name", "referrer.name", "referee.first_name", "referee.name", "referee.email",           \
        "referee.phone", "referral.state", "referral.appointment"

static const char *const known_ask[] = {COMMON, NULL};
static const char *const known_referral[] = {COMMON, REFERRAL, NULL};
static const char *const known_tier[] = {COMMON, REFERRAL, "tier.count", "tier.next", "tier.to_next", NULL};
static const char *const known_reward[] = {COMMON, REFERRAL, "reward.description", NULL};
static const char *const known_sla[] = {COMMON, REFERRAL, "sla.due", NULL};

#define THANKS "\n\nWarm wishes,\n{{practice.name|The team}}"
#define REGARDS "\n\nKind regards,\n{{practice.name|The clinical team}}"

static const struct {
    rf__builtin_template t;
    const char *const *known;
    rf_channel channel;
} builtins[RF_TEMPLATE_COUNT] = {
    {{"thank_referrer", "Thank you for thinking of us",
      "Dear {{recipient.first_name|friend}},\n\n"
      "Thank you for referring {{referee.first_name|someone}} to {{practice.name|us}}. We will take good "
      "care of them." THANKS},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"referee_intro.1", "{{referrer.first_name|Someone who knows you}} thought we could help",
      "Hi {{recipient.first_name|there}}, {{referrer.first_name|a friend of yours}} suggested we get in "
      "touch. We would be glad to welcome you at {{practice.name|our practice}}. You can book at "
      "{{code.link|any time by replying to this message}}."},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"referee_intro.2", "Any questions before you book?",
      "Hi {{recipient.first_name|there}}, just checking in. If you have any questions before booking, reply "
      "and we will gladly answer them. When you are ready, you can book at {{code.link|any time by replying "
      "to this message}}."},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"referee_intro.3", "We are here when you need us",
      "Hi {{recipient.first_name|there}}, this is our last note for now. Whenever you would like to come "
      "in, {{practice.name|we}} will be glad to see you. You can book at {{code.link|any time by replying "
      "to this message}}."},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"partner.scheduled", "Referral update: appointment booked",
      "Dear {{recipient.first_name|colleague}},\n\n"
      "Thank you for referring {{referee.name|your patient}} to us. An appointment has been booked for "
      "{{referral.appointment|a date we will confirm shortly}} with {{practitioner.name|one of our "
      "clinicians}}.\n\nWe will write again after the first visit." REGARDS},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"partner.visit_summary", "Referral update: first visit completed",
      "Dear {{recipient.first_name|colleague}},\n\n"
      "Your referral, {{referee.name|your patient}}, attended a first visit with {{practitioner.name|one of "
      "our clinicians}}. Any clinical correspondence will follow through the usual secure "
      "channel; this message holds no clinical detail." REGARDS},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"partner.closure", "Referral update: care completed",
      "Dear {{recipient.first_name|colleague}},\n\n"
      "Care for your referral, {{referee.name|your patient}}, is now complete and the referral is closed. "
      "Please contact us if you would like a discharge summary or have any questions. Thank you for the "
      "referral." REGARDS},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"status_notice", "An update on your referral",
      "Hi {{recipient.first_name|there}}, a quick update: your referral of {{referee.first_name|a friend}} "
      "is now {{referral.state|under way}}. Thank you again for thinking of {{practice.name|us}}."},
     known_referral,
     RF_CHANNEL_UNSET},
    {{"tier_nudge", "One more referral to your next thank-you",
      "Hi {{recipient.first_name|there}}, thank you for recommending {{practice.name|us}}. Your referral "
      "count is now {{tier.count|growing}}, and {{tier.to_next|one}} more will reach your next thank-you. "
      "No pressure at all: we are simply grateful."},
     known_tier,
     RF_CHANNEL_UNSET},
    {{"reward_notice", "A thank-you from {{practice.name|us}}",
      "Hi {{recipient.first_name|there}}, thank you for helping others find {{practice.name|us}}. Your "
      "thank-you is ready: {{reward.description|a small gift from us}}."},
     known_reward,
     RF_CHANNEL_UNSET},
    {{"reward_notice.held", "Your thank-you is on its way",
      "Hi {{recipient.first_name|there}}, thank you for helping others find {{practice.name|us}}. Your "
      "thank-you ({{reward.description|a small gift from us}}) is on its way, and we will let you know as "
      "soon as it is ready."},
     known_reward,
     RF_CHANNEL_UNSET},
    {{"sla_breach", "Referral waiting for a first response",
      "The referral of {{referee.name|a new client}} from {{referrer.name|an unknown referrer}} has had no "
      "first response (accept, ask for information or decline). It was due {{sla.due|earlier}}. Please "
      "answer it today."},
     known_sla,
     RF_CHANNEL_UNSET},
    {{"ask.sms.new", NULL,
      "Hi {{recipient.first_name|there}}, thanks for choosing {{practice.name|us}}. If someone you know "
      "could use our help, we would love to see them: {{code.link|they can just mention your name}}"},
     known_ask,
     RF_CHANNEL_SMS},
    {{"ask.sms.long", NULL,
      "Hi {{recipient.first_name|there}}, it is always a pleasure to see you. If a friend could use our "
      "help, feel free to pass this on: {{code.link|they can just mention your name}}"},
     known_ask,
     RF_CHANNEL_SMS},
    {{"ask.email.new", "Know someone we could help?",
      "Dear {{recipient.first_name|friend}},\n\n"
      "We are so glad you chose {{practice.name|us}}, and we hope your first visits have helped.\n\n"
      "Most people find us because someone they trust mentioned us. If you know someone who could use our "
      "help, you are welcome to pass this on to them: {{code.link|our name and number are all they "
      "need}}.\n\nThere is no obligation at all. Thank you for being here.\n\n"
      "Warm wishes,\n{{practitioner.name|The team}}"},
     known_ask,
     RF_CHANNEL_EMAIL},
    {{"ask.email.long", "Know someone we could help?",
      "Dear {{recipient.first_name|friend}},\n\n"
      "Thank you for being with {{practice.name|us}} all this time. Looking after you has been a real "
      "pleasure.\n\n"
      "If a friend or family member could use the same care, you are welcome to pass this on to them: "
      "{{code.link|our name and number are all they need}}.\n\nThere is no obligation at all.\n\n"
      "Warm wishes,\n{{practitioner.name|The team}}"},
     known_ask,
     RF_CHANNEL_EMAIL},
    {{"ask.in_person.new", NULL,
      "Thanks for coming in, {{recipient.first_name|and welcome}}. We are really glad you found us. If "
      "someone you know could use our help, we would love to see them: they can mention "
      "{{code.text|your name}} when they book."},
     known_ask,
     RF_CHANNEL_IN_PERSON},
    {{"ask.in_person.long", NULL,
      "Good to see you again, {{recipient.first_name|and thanks for coming in}}. If a friend or family "
      "member ever needs our help, we would be glad to look after them too: they can mention "
      "{{code.text|your name}} when they book."},
     known_ask,
     RF_CHANNEL_IN_PERSON},
};

const rf__builtin_template *rf__template_builtin(size_t index)
{
    return index < RF_TEMPLATE_COUNT ? &builtins[index].t : NULL;
}

int rf__template_index(const char *name)
{
    for (size_t i = 0; name != NULL && i < RF_TEMPLATE_COUNT; i++) {
        if (strcmp(builtins[i].t.name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *const *rf__template_known(size_t index)
{
    return index < RF_TEMPLATE_COUNT ? builtins[index].known : known_ask;
}

rf_channel rf__template_channel(size_t index)
{
    return index < RF_TEMPLATE_COUNT ? builtins[index].channel : RF_CHANNEL_UNSET;
}
