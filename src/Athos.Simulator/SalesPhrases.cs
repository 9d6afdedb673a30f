namespace Athos.Simulator;

/// <summary>Phrase banks for generated calls: Medicare Advantage sales practice, as Athos's drills are.</summary>
internal static class SalesPhrases
{
    public static readonly string[] Agencies =
        ["agency_chicago", "agency_dallas", "agency_phoenix", "agency_tampa", "agency_denver", "agency_boston", "agency_seattle"];

    public static readonly string[] RepLines =
    [
        "Hi, this is Jordan with Senior Benefits. Am I speaking with James?",
        "I'm calling because you requested information about Medicare Advantage plans in your area.",
        "Before we get started, can I confirm your ZIP code and date of birth?",
        "Do you currently have Original Medicare, or are you enrolled in a plan already?",
        "Which doctors are most important for you to keep seeing?",
        "Are you taking any prescriptions regularly? I want to make sure they're covered.",
        "That makes sense. A lot of people I talk to feel the same way about their premiums.",
        "This plan has a zero-dollar premium and includes dental, vision and hearing.",
        "Your primary care visits would be a zero-dollar copay, and specialists are forty dollars.",
        "I need to read a short Scope of Appointment statement before we talk about specific plans.",
        "Would it help if I checked whether Dr. Alvarez is in network for this plan?",
        "I understand. What would you need to see to feel comfortable making a change?",
        "Great. Let me summarize what we covered so far.",
        "The enrollment would take effect on the first of next month.",
        "Is there anyone else, like a spouse or a caregiver, who helps you with these decisions?",
        "I appreciate your time today. Can I schedule a follow-up for Thursday afternoon?",
    ];

    public static readonly string[] ProspectLines =
    [
        "Hey. Yes, this is James.",
        "I filled out something online, but I get a lot of these calls.",
        "I have Original Medicare and a supplement through my old employer.",
        "I really don't want to lose my cardiologist. I've been seeing her for ten years.",
        "I take metformin, lisinopril and something for cholesterol — I forget the name.",
        "What's the catch with a zero-dollar premium? Nothing is free.",
        "My neighbor switched last year and had trouble getting a referral.",
        "Okay, that's actually better than what I pay now.",
        "I'd want to talk to my daughter before I sign anything.",
        "Can you send me something in writing?",
        "How long does it take to switch? I'm in the middle of some tests.",
        "Fine, go ahead and read it.",
        "So dental is included? My current plan doesn't cover cleanings.",
        "I'm not sure. It sounds good, but you're moving fast.",
        "Thursday works, after two o'clock.",
        "Alright, I think that covers it.",
    ];

    public static readonly string[] Summaries =
    [
        "Prospect asked about Medicare options; the agent built rapport but rushed the close.",
        "The agent completed the Scope of Appointment, confirmed doctors and prescriptions, and secured a follow-up.",
        "Strong discovery on prescriptions; the plan comparison lacked a clear recommendation.",
        "The prospect raised a premium objection that the agent handled with a side-by-side cost breakdown.",
        "The agent skipped the Scope of Appointment before discussing plan specifics.",
        "Good rapport and a clear explanation of network rules; the call ended without a next step.",
        "The prospect wanted a caregiver involved; the agent adapted and scheduled a three-way call.",
    ];

    public static readonly string[] Feedback =
    [
        "Lead with a clear greeting and one discovery question; slow down before presenting the plan.",
        "Read the Scope of Appointment before naming any plan, and confirm consent out loud.",
        "Tie each plan benefit back to something the prospect said mattered to them.",
        "When a prospect hesitates, ask what would make them comfortable instead of repeating the offer.",
        "Summarize the doctors and prescriptions you confirmed before moving to enrollment.",
        "Close with a specific next step and a time, not an open invitation to call back.",
        "Avoid promising network coverage before checking the provider directory.",
    ];
}
