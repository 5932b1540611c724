"""Demo evidence beyond the action cards: what the seed's team gathered, linked to the chain and assessed.

Plain Python data only. It follows the seed paper's section "What works in knowledge
exchange" (Smith, Wilkinson and Gallagher 2013): seminar questionnaires, flipchart notes,
staff observation notes, the practitioner research projects (PRPs), the impact meeting
three months after the PRPs ended (five practitioners from four of the six completed
projects; audio recorded with consent, key quotes transcribed) and the good practice guide.
Quotes and pseudonyms ("Practitioner 1", "PRP1, service user interview E") are the seed's own.
Where the seed gives no figures (questionnaire returns, second seminar attendance) the
numbers are invented and kept modest; the Parents' Voice group is the demo's invention
(seed_data.ORGANISATIONS).

Targets name steps by key (seed_data.STEPS and REVISIONS), links by (source key, target key),
assumptions by (source key, target key, text) and factors by title (seed_data.FACTORS).
"""
from __future__ import annotations

from typing import Any

SEMINAR_2 = "Second knowledge-sharing seminar: PRP findings"
IMPACT_MEETING = "Impact meeting with PRP practitioners, 17 June 2011 (audio recorded with consent)"

# The impact meeting is one record (impact.meetings): the items below whose source is IMPACT_MEETING become
# its notes ("impact_meeting") and its quotes, each said by one of those who attended (by "speaker").
MEETING: dict[str, Any] = {
    "title": "Impact meeting three months after the PRPs", "date": "2011-06-17", "place": "University of Edinburgh",
    "notes_key": "impact_meeting",
    # (name in the record, partner group, PRP title or None, demo user's email or None)
    "attendance": [
        ("Practitioner 1", "practitioner", "Building trust with mistrustful parents", None),
        ("Practitioner 2", "practitioner", "Caseloads and relational practice", None),
        ("Practitioner 3", "practitioner", "Honesty about concerns in child protection work",
         "practitioner@demo.example.org"),
        ("Practitioner 4", "practitioner", "Letting families tell their own story", None),
        ("Practitioner 5", "practitioner", "Honesty about concerns in child protection work", None),
        ("Research fellow", "academic", None, "team@demo.example.org"),
    ],
    # The seed's themes: (title, description, step keys, factor titles)
    "themes": [
        ("Changes to personal practice", "Each practitioner reported at least one change in their own work: "
         "supporting clients to take risks, writing reports for the client, honesty at the first visit.",
         ["think_risk", "relational_practice", "reports_for_client"], []),
        ("Creating a dialogue", "The PRPs started debate with front-line and senior managers about "
         "relationship-based practice, helped where a senior manager championed a report.",
         ["manager_dialogue"], ["Chief social work officer champions the report"]),
        ("Working with local authority cultures", "Performance management, sponsors moving on and email "
         "overload kept findings from travelling up the hierarchy; impact came as a gradual 'drip drip'.",
         ["culture_shift", "reports_resonate"],
         ["Performance management culture", "Senior sponsors move on", "Email overload"]),
    ],
}
# The demo's invention (the seed names no governance body): the steering group, where managers and the
# Parents' Voice group sat with the university team; no front-line practitioner or service user did.
GOVERNANCE_MEETINGS: list[dict[str, Any]] = [
    {"title": "Project steering group", "date": "2010-02-10", "place": "University of Edinburgh",
     "notes": "Agreed the seminar programme and the call for practitioner research projects; the six authorities' "
              "managers agreed to release staff for the seminars.",
     "attendance": [("academic", 3), ("manager", 4), ("carer", 1)]},
    {"title": "Project steering group", "date": "2010-10-06", "place": "Local authority B",
     "notes": "Reviewed the seven PRPs' progress; mentoring moved to face-to-face meetings after the wiki failed.",
     "attendance": [("academic", 2), ("manager", 3), ("carer", 1)]},
]
# Who said each quote at the meeting, by the item's key (the others are named by their pseudonym).
MEETING_SPEAKERS = {"radars": "Practitioner 4", "honest_first_visit": "Practitioner 5"}

# Each link: (target kind, target, stance, strength, note); kind is step, link, assumption or factor.
ITEMS: list[dict[str, Any]] = [
    # --- First knowledge-sharing seminar (cards_data.EVENT, 28 April 2010) ---------------------------
    {
        "key": "attendance_s1", "kind": "figure", "date": "2010-04-28", "group": "academic",
        "title": "Attendance at the first knowledge-sharing seminar: 38",
        "source": "Project team's register, first knowledge-sharing seminar",
        "summary": "38 attended: 21 practitioners, 8 managers, 5 academics, 1 carer and 3 others, "
                   "with staff from all six local authorities.",
        "links": [
            ("step", "seminars", "supports", "strong", "The seminar took place as planned."),
            ("step", "seminar_attendees", "supports", "strong", "Practitioners and managers came in numbers."),
            ("step", "six_las", "supports", "moderate", "Staff from all six authorities attended."),
            ("link", ("seminars", "seminar_attendees"), "supports", "strong", ""),
            ("link", ("la_staff_time", "seminars"), "supports", "moderate", "Managers released their staff."),
            ("assumption", ("la_staff_time", "seminars", "Managers release staff to attend"), "supports",
             "moderate", "29 practitioners and managers were released for the day."),
        ],
    },
    {
        "key": "cards_figure", "kind": "figure", "date": "2010-04-28", "group": "academic",
        "title": "Action cards filled in at the first seminar: 26 of 38 attendees",
        "source": "Action cards, first knowledge-sharing seminar",
        "summary": "26 attendees wrote up to three actions they hoped to take during the project, with "
                   "their email address for the follow-up.",
        "links": [
            ("step", "action_plans", "supports", "strong", "26 people committed to actions in writing."),
            ("link", ("seminars_useful", "action_plans"), "supports", "moderate",
             "Most attendees turned the day into actions of their own."),
        ],
    },
    {
        "key": "questionnaire_s1", "kind": "questionnaire", "date": "2010-04-28", "group": "practitioner",
        "title": "Questionnaire results: first knowledge-sharing seminar",
        "source": "Seminar evaluation questionnaires (30 returned, mostly from practitioners)",
        "summary": "30 of 38 attendees returned a questionnaire. 26 rated the seminar useful or very useful "
                   "for their work and 4 somewhat useful. Most valued: the briefing on engaging involuntary "
                   "clients and time to talk with colleagues from other authorities. Several asked for more "
                   "practical examples, and several said it would be hard to find time to follow things up "
                   "alongside their caseloads.",
        "links": [
            ("step", "seminars_useful", "supports", "moderate", "26 of 30 rated it useful or very useful."),
            ("step", "seminars", "supports", "moderate", "Attendees' own record of the day."),
            ("link", ("seminars_useful", "value_relationships"), "mixed", "weak",
             "Messages matched what attendees already believed."),
            ("link", ("seminar_attendees", "seminars_useful"), "supports", "moderate", ""),
            ("assumption", ("seminar_attendees", "seminars_useful",
                            "Seminars are practical and speak to day-to-day practice"), "mixed", "weak",
             "Relevant to their work, but several wanted more practical examples."),
            ("assumption", ("briefing_reviews", "seminar_attendees",
                            "The briefing is handed out and discussed at the seminars"), "supports", "moderate",
             "The briefing was among the most valued parts of the day."),
            ("factor", "Heavy caseloads and bureaucratic demands", "supports", "weak",
             "Attendees expected caseloads to get in the way of following up."),
        ],
    },
    {
        "key": "flipchart_s1", "kind": "workshop_notes", "date": "2010-04-28", "group": "practitioner",
        "title": "Flipchart notes: what gets in the way of engaging involuntary clients",
        "source": "Group discussions at the first seminar, written up by the project team",
        "summary": "Groups of practitioners and managers listed what helps and hinders engagement. Helps: "
                   "honesty about concerns, time to listen, keeping your word, the same worker over time. "
                   "Hinders: caseloads and paperwork, timescales set by procedures, parents' fear that "
                   "children will be removed. Relationship-based practice was already widely valued: the "
                   "groups saw the obstacles as organisational rather than a lack of knowledge.",
        "links": [
            ("factor", "Heavy caseloads and bureaucratic demands", "supports", "moderate",
             "Named by every group."),
            ("factor", "Managerially driven timescales", "supports", "moderate", ""),
            ("step", "value_relationships", "mixed", "moderate",
             "Practitioners valued relationships before the programme began: it may have reaffirmed "
             "rather than created this."),
            ("assumption", ("seminars_useful", "value_relationships",
                            "Seminar messages connect with what practitioners already believe"), "supports",
             "moderate", "They did: the groups already argued for honesty, time and continuity."),
        ],
    },
    {
        "key": "briefing", "kind": "document", "date": "2010-04-21", "group": "academic",
        "title": "Briefing and two literature reviews on engaging involuntary clients",
        "source": "Project website (published online)",
        "summary": "The scoping review of recent research on user engagement in social work, presented as "
                   "a short, accessible briefing and two literature reviews; handed out at the first seminar.",
        "links": [
            ("step", "scoping_review", "supports", "strong", "The review was done."),
            ("step", "briefing_reviews", "supports", "strong", "The briefing and reviews exist and are online."),
            ("link", ("scoping_review", "briefing_reviews"), "supports", "strong", ""),
            ("link", ("academic_time", "scoping_review"), "supports", "moderate", ""),
            ("assumption", ("academic_time", "scoping_review",
                            "Academics can turn the review round quickly enough to inform the seminars"),
             "supports", "moderate", "Ready a week before the first seminar."),
        ],
    },
    # --- Practitioner research projects -----------------------------------------------------------
    {
        "key": "training_questionnaire", "kind": "questionnaire", "date": "2010-05-26", "group": "practitioner",
        "title": "Questionnaire results: PRP research training day",
        "source": "Evaluation questionnaires from practitioner researchers (8 returned)",
        "summary": "All 8 respondents found the training useful for planning their project; interviewing "
                   "parents and research ethics were the most valued sessions. 6 of 8 were worried about "
                   "getting protected time for the research alongside their caseload.",
        "links": [
            ("step", "prps_mentoring", "supports", "moderate", "Training for practitioner researchers happened."),
            ("step", "la_staff_time", "mixed", "weak", "Released for the day, but unsure of time afterwards."),
            ("link", ("la_staff_time", "prps_mentoring"), "mixed", "weak", ""),
            ("assumption", ("la_staff_time", "prps_mentoring",
                            "Each authority protects time for its practitioner researchers"), "challenges", "weak",
             "Most expected protected time to be hard to get."),
        ],
    },
    {
        "key": "toc_workshop", "kind": "workshop_notes", "date": "2010-06-14", "group": "practitioner",
        "title": "Flipchart notes: theory of change workshop with practitioner researchers",
        "source": "Workshop with the practitioner researchers, written up by the research fellow",
        "summary": "The practitioner researchers and the team drew the results chain together. Practitioners "
                   "added the link from their reports to managers, and the risk that senior sponsors move on. "
                   "They expected change to come slowly, through colleagues talking, not from reports alone.",
        "links": [
            ("step", "prp_practitioners", "supports", "moderate",
             "Practitioner researchers from all six authorities took part."),
            ("link", ("value_relationships", "manager_dialogue"), "supports", "weak",
             "Practitioners themselves saw managers as the route to wider change."),
        ],
    },
    {
        "key": "wiki_note", "kind": "observation", "date": "2010-09-15", "group": "academic",
        "title": "Observation note: project wiki abandoned",
        "source": "Project team notes",
        "summary": "The project wiki set up at the start has been dropped: most practitioners could not reach "
                   "it from their office computers because of local authority firewalls, and email is "
                   "overloaded. Mentoring has moved to face-to-face meetings and phone calls.",
        "links": [
            ("factor", "Local authority firewalls block the project wiki", "supports", "strong", ""),
            ("assumption", ("academic_time", "prps_mentoring",
                            "Face-to-face contact is possible, as email and online tools reach practitioners poorly"),
             "supports", "moderate", "Online tools failed; face-to-face meetings worked."),
        ],
    },
    {
        "key": "mentoring_notes", "kind": "observation", "date": "2010-12-08", "group": "academic",
        "title": "Observation notes: mentoring meetings with practitioner researchers",
        "source": "Research fellow's notes from mentoring meetings",
        "summary": "The research fellow met each project face to face about monthly. Practitioners valued "
                   "someone who understood the social work role and was accessible and reliable. Crisis work "
                   "delayed fieldwork in two projects; one project had stalled.",
        "links": [
            ("step", "prps_mentoring", "supports", "strong", "Mentoring happened regularly."),
            ("step", "academic_time", "supports", "moderate", ""),
            ("link", ("academic_time", "prps_mentoring"), "supports", "moderate", ""),
            ("assumption", ("academic_time", "prps_mentoring",
                            "Mentors understand the social work role and are accessible and reliable"),
             "supports", "moderate", "Credibility built through consistent, reliable contact."),
            ("assumption", ("prps_mentoring", "prp_reports",
                            "Mentoring keeps practitioners going alongside their caseloads"), "mixed", "moderate",
             "Most projects kept going; one stalled."),
        ],
    },
    {
        "key": "prp2_focus_group", "kind": "practitioner_update", "date": "2011-01-19", "group": "practitioner",
        "title": "PRP2 update: practitioners' focus group on making plans with families",
        "source": "PRP2 practitioner researcher's update to the mentor",
        "summary": "The focus group with colleagues found that heavy caseloads keep social workers in the "
                   "office writing plans for families rather than with them.",
        "quote": "If we had a realistic caseload we could work at making a plan with our families because just "
                 "now we sit in our office and do the plan and give it to families",
        "pseudonym": "PRP2, practitioner in focus group", "consent": True,
        "links": [
            ("factor", "Heavy caseloads and bureaucratic demands", "supports", "strong", ""),
            ("assumption", ("value_relationships", "relational_practice",
                            "Caseloads leave time for direct work with families"), "challenges", "strong",
             "Practitioners say they do not."),
            ("link", ("value_relationships", "relational_practice"), "challenges", "moderate",
             "Caseloads limit how far values become practice."),
        ],
    },
    {
        "key": "prp1_interviews", "kind": "practitioner_update", "date": "2011-02-16", "group": "service_user",
        "title": "PRP1 update: parents' accounts of trust with social workers",
        "source": "PRP1 interviews with parents, in the practitioner researcher's update",
        "summary": "Parents interviewed for PRP1 describe mutual mistrust at the start, and relationships "
                   "improving over time where workers were honest and kept their word.",
        "quote": "She didn't trust us and we didn't trust her and I think that was just how it was",
        "pseudonym": "PRP1, service user interview E", "consent": True,
        "links": [
            ("assumption", ("relational_practice", "families_engage",
                            "Clients' fears of children being removed can be eased over time"), "supports",
             "moderate", "Parents and workers say relationships improved with time and persistence."),
            ("assumption", ("relational_practice", "families_engage",
                            "Workers stick to their word and stay honest about concerns"), "supports", "weak",
             "Parents contrast honest workers with earlier ones who were not."),
            ("link", ("relational_practice", "families_engage"), "supports", "weak",
             "Parents describe engagement improving with relational practice."),
        ],
    },
    {
        "key": "prp1_own_pace", "kind": "practitioner_update", "date": "2011-02-16", "group": "service_user",
        "title": "PRP1 update: a mother on being given time",
        "source": "PRP1 interviews with parents, in the practitioner researcher's update",
        "summary": "A mother with learning difficulties says the relationship improved once her social worker "
                   "let her go at her own pace rather than setting deadlines.",
        "quote": "I said that I will get there, you just need to give me time and work slowly with me...be "
                 "patient with me instead of saying to me you need to do this by a certain date. Ever since "
                 "then me and my social worker got more closer and worked together",
        "pseudonym": "PRP1, service user interview A", "consent": True,
        "links": [
            ("factor", "Managerially driven timescales", "supports", "moderate", ""),
            ("step", "families_engage", "supports", "weak",
             "Shows the change is possible; it describes casework the programme did not cause, so it says "
             "little about contribution."),
        ],
    },
    {
        "key": "prp2_voice", "kind": "practitioner_update", "date": "2011-02-23", "group": "service_user",
        "title": "PRP2 update: a parent finding a voice in meetings",
        "source": "PRP2 service user interview, in the practitioner researcher's update",
        "summary": "A parent describes becoming able to voice opinions in meetings as they went on.",
        "quote": "At the beginning I went along with what was said and agreed but as meetings progressed I was "
                 "more able to voice opinion",
        "pseudonym": "PRP2, service user interview", "consent": True,
        "links": [
            ("step", "families_engage", "supports", "weak",
             "The change the step describes, in a parent's words; not attributable to the programme."),
        ],
    },
    {
        "key": "prp_figure", "kind": "figure", "date": "2011-03-16", "group": "academic",
        "title": "Practitioner research projects: 7 started, 6 completed",
        "source": "Project records",
        "summary": "Practitioners from all six local authorities started projects (two in one authority). Six "
                   "of the seven were completed and written up; one was not completed.",
        "links": [
            ("step", "prp_practitioners", "supports", "strong", "All six authorities put forward practitioners."),
            ("step", "six_las", "supports", "strong", "Every authority ran at least one project."),
            ("step", "prp_reports", "supports", "strong", "Six of seven completed."),
            ("link", ("prps_mentoring", "prp_reports"), "mixed", "moderate", "One of the seven was not completed."),
            ("link", ("prps_mentoring", "prp_practitioners"), "supports", "strong", ""),
            ("assumption", ("prps_mentoring", "prp_practitioners",
                            "Each authority puts forward at least one practitioner researcher"), "supports",
             "strong", ""),
        ],
    },
    {
        "key": "prp_reports_doc", "kind": "document", "date": "2011-03-16", "group": "practitioner",
        "title": "Six PRP reports on engaging involuntary clients",
        "source": "Reports written by the practitioner researchers",
        "summary": "Findings on building trust over time, honesty about concerns, listening to the family's "
                   "own story, and workers advocating for parents; presented at the second seminar.",
        "links": [
            ("step", "prp_reports", "supports", "strong", "The reports exist."),
            ("link", ("prps_mentoring", "prp_reports"), "supports", "moderate", ""),
            ("assumption", ("prp_reports", "reports_resonate",
                            "Findings written by local colleagues feel credible and useful"), "supports", "weak",
             "Written by colleagues; see the second seminar questionnaires."),
        ],
    },
    # --- Second seminar (PRP findings) ----------------------------------------------------------------
    {
        "key": "questionnaire_s2", "kind": "questionnaire", "date": "2011-03-16", "group": "practitioner",
        "title": "Questionnaire results: second seminar (PRP findings)",
        "source": f"Seminar evaluation questionnaires, {SEMINAR_2} (24 returned, 31 attended)",
        "summary": "31 attended from all six authorities; 24 returned a questionnaire. 22 rated the PRP "
                   "presentations relevant or very relevant to their practice. Comments valued hearing local "
                   "colleagues' findings and parents' own words.",
        "links": [
            ("step", "seminars_useful", "supports", "moderate", "22 of 24 found the findings relevant."),
            ("step", "reports_resonate", "supports", "moderate", "Colleagues found the findings relevant."),
            ("link", ("prp_reports", "reports_resonate"), "supports", "moderate", ""),
        ],
    },
    {
        "key": "managers_s2", "kind": "questionnaire", "date": "2011-03-16", "group": "manager",
        "title": "Managers' questionnaire comments: second seminar",
        "source": f"Seminar evaluation questionnaires from managers, {SEMINAR_2}",
        "summary": "Managers were interested in the findings, and several asked for short 'key messages' "
                   "they could roll out to teams. The questionnaire did not ask for consent to quote.",
        "quote": "We need the key messages on one page so that we can roll them out to the teams.",
        "pseudonym": "", "consent": False,
        "links": [
            ("factor", "Managers see knowledge exchange as an event", "supports", "moderate",
             "Asking for messages to implement, not a process to join."),
            ("assumption", ("value_relationships", "manager_dialogue",
                            "Managers give PRP findings time in team meetings"), "mixed", "weak",
             "Interested, but in messages to roll out rather than discussion."),
        ],
    },
    {
        "key": "managers_munro", "kind": "observation", "date": "2011-05-25", "group": "academic",
        "title": "Observation notes: managers' response in the light of the Munro review",
        "source": "Project team notes from partner managers' meetings",
        "summary": "Managers were working out what the Munro review meant for their own services; our "
                   "findings about relationship-based practice were convenient and uncontentious to them. "
                   "More by accident than design, the project went with the grain of policy.",
        "links": [
            ("factor", "Munro review lands at the same time", "supports", "strong", ""),
            ("step", "manager_dialogue", "mixed", "weak",
             "Managers engaged, but Munro may explain their interest as much as the PRPs."),
        ],
    },
    # --- Action-card follow-up (cards_data.CAMPAIGN) ---------------------------------------------------
    {
        "key": "followup_figure", "kind": "figure", "date": "2011-07-15", "group": "academic",
        "title": "Action-card follow-up: 12 responses from 26 cards (46%)",
        "source": "Action-card follow-up, first knowledge-sharing seminar",
        "summary": "12 of the 26 card holders answered the follow-up email; seven of them had done PRPs and "
                   "gave longer, more detailed answers. Fourteen did not answer, so we know nothing of their "
                   "progress.",
        "links": [
            ("step", "relational_practice", "supports", "weak",
             "Respondents report progress, but it is self-report from fewer than half."),
            ("assumption", ("action_plans", "relational_practice",
                            "Attendees remember and return to their planned actions"), "mixed", "moderate",
             "Those who answered had; 14 of 26 did not answer."),
            ("link", ("action_plans", "relational_practice"), "mixed", "moderate",
             "Progress on planned actions, from fewer than half of the card holders."),
        ],
    },
    # --- Impact meeting, three months after the PRPs ended -------------------------------------------
    {
        "key": "impact_meeting", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting three months after the PRPs: notes",
        "source": IMPACT_MEETING,
        "summary": "Five practitioners attended, representing four of the six completed projects; each "
                   "reported at least one impact, followed by group discussion. Themes: changes to personal "
                   "practice; creating a dialogue with managers; working with local authority cultures; "
                   "impact as a gradual 'drip drip' rather than a single event.",
        "links": [
            ("step", "prp_practitioners", "supports", "moderate", "Five practitioners from four projects."),
            ("step", "findings_shared", "supports", "moderate",
             "Reports circulated, presented at a forum and planned for an intranet article."),
            ("link", ("prp_reports", "findings_shared"), "supports", "moderate", ""),
        ],
    },
    {
        "key": "p2_risk", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: supporting clients to take risks",
        "source": IMPACT_MEETING,
        "summary": "Practitioner 2 described working with risk more positively since doing the PRP.",
        "quote": "I've certainly seen a change in terms of my working with clients...being aware of some of the "
                 "stuff that our research was about in terms of supporting people to take risks and not backing "
                 "away from risk as something that you must manage and completely get rid of.",
        "pseudonym": "Practitioner 2", "consent": True,
        "links": [
            ("step", "think_risk", "supports", "strong", "A first-hand account of changed thinking."),
            ("link", ("prp_practitioners", "think_risk"), "supports", "moderate", "He links it to the research."),
            ("assumption", ("prp_practitioners", "think_risk",
                            "Doing research gives practitioners room to reflect critically on their work"),
             "supports", "moderate", ""),
            ("link", ("think_risk", "relational_practice"), "supports", "weak",
             "Applied in decision making with clients."),
        ],
    },
    {
        "key": "p3_report", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: a child protection report written for the mother",
        "source": IMPACT_MEETING,
        "summary": "Practitioner 3 wrote a case conference report for a mother who would not let her in, "
                   "explaining the issues to her. The mother read it closely (it was 'really thumbed') and the "
                   "family has changed since. Asked whether she would have done this before the project, she "
                   "said she would have written for the conference and professionals.",
        "quote": "I think I would write my reports more for the conference and professionals...[but the client] "
                 "totally saw where I was coming from, and had read it, it was really thumbed.",
        "pseudonym": "Practitioner 3", "consent": True,
        "links": [
            ("step", "reports_for_client", "supports", "strong", "A specific example, with her own counterfactual."),
            ("step", "clients_understand", "supports", "moderate", "The practitioner's account, not the mother's."),
            ("step", "families_engage", "supports", "weak", "'It's huge' - one family, in the worker's words."),
            ("link", ("value_relationships", "reports_for_client"), "supports", "moderate", ""),
            ("link", ("reports_for_client", "clients_understand"), "supports", "moderate", ""),
            ("link", ("reports_for_client", "families_engage"), "supports", "weak",
             "One family, in the worker's words."),
            ("assumption", ("reports_for_client", "clients_understand",
                            "The client reads the report and it explains the issues plainly"), "supports",
             "moderate", "She read it closely and pointed out a spelling mistake."),
            ("assumption", ("value_relationships", "reports_for_client",
                            "Practitioners feel able to depart from the usual report format"), "supports", "weak",
             "One practitioner did; we do not know about others."),
        ],
    },
    {
        "key": "p1_dialogue", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: a dialogue with managers about cultures of engagement",
        "source": IMPACT_MEETING,
        "summary": "Practitioner 1 said the PRP had started a debate with front-line and senior managers "
                   "about relationship-based social work versus the systems culture of recent years, and that "
                   "bringing the two together is a real challenge.",
        "quote": "It's created a dialogue with practitioners in terms of front line managers and senior "
                 "management around addressing cultures of engagement.",
        "pseudonym": "Practitioner 1", "consent": True,
        "links": [
            ("step", "manager_dialogue", "supports", "moderate", ""),
            ("link", ("value_relationships", "manager_dialogue"), "supports", "moderate", ""),
            ("step", "culture_shift", "mixed", "weak", "Debate has begun; she calls the shift a real challenge."),
        ],
    },
    {
        "key": "p1_cso", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: the chief social work officer as champion",
        "source": IMPACT_MEETING,
        "summary": "After a job move put Practitioner 1 in the same building as the chief social work officer, "
                   "the CSO used the PRP report to open up debate about relationship-based practice. Chance, "
                   "not plan, made the connection.",
        "quote": "If I'd still been sitting as a front line team leader, I wouldn't have been in the same "
                 "building, I wouldn't have been sharing a coffee machine, I wouldn't be doing all these things "
                 "that allow relationships to form",
        "pseudonym": "Practitioner 1", "consent": True,
        "links": [
            ("factor", "Chief social work officer champions the report", "supports", "strong", ""),
            ("step", "manager_dialogue", "supports", "moderate", "The CSO 'really pushed' the debate."),
            ("assumption", ("manager_dialogue", "culture_shift",
                            "Senior managers keep the debate open as a legitimate discussion"), "supports", "weak",
             "In one authority."),
        ],
    },
    {
        "key": "p2_sponsors", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: no route to senior managers after sponsors moved on",
        "source": IMPACT_MEETING,
        "summary": "Practitioner 2 could not get his findings up the hierarchy: the senior people who approved "
                   "the project had moved on and, as a front-line worker based far from headquarters, he does "
                   "not know their successors. He is working slowly from the bottom up through a team leader.",
        "quote": "Direct front-line practice, located miles away, physically, from where those [senior "
                 "management] people are, I don't really know them in the way I perhaps would have known the "
                 "last ones.",
        "pseudonym": "Practitioner 2", "consent": True,
        "links": [
            ("factor", "Senior sponsors move on", "supports", "strong", ""),
            ("step", "manager_dialogue", "challenges", "moderate", "No senior take-up in his authority."),
            ("assumption", ("value_relationships", "manager_dialogue",
                            "Practitioners have routes to senior managers"), "challenges", "moderate",
             "Not for a front-line worker once sponsors leave."),
            ("factor", "Managers see knowledge exchange as an event", "supports", "moderate",
             "He felt managers wanted 'messages from research' to implement."),
        ],
    },
    {
        "key": "radars", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: it's what gets through people's radars",
        "source": IMPACT_MEETING,
        "summary": "A report sent to many colleagues was barely read until senior management, reminded twice, "
                   "sent it round; then people read it, discussed it and commented, partly because the name on "
                   "it was familiar.",
        "quote": "It's what gets through people's radars isn't it... I did send out my project [report] to a "
                 "number of people, and barely anybody read it. And then reminded the higher management, twice, "
                 "that he'd agreed to send it out, and when he did, then everybody started talking about it",
        "pseudonym": "Impact meeting participant", "consent": True,
        "links": [
            ("factor", "Email overload", "supports", "strong", ""),
            ("assumption", ("six_las", "reports_resonate",
                            "A familiar name or senior manager sends the report round, so people read it"),
             "supports", "strong", ""),
            ("step", "reports_resonate", "mixed", "moderate", "Unread at first; discussed once sent from above."),
            ("link", ("six_las", "reports_resonate"), "mixed", "moderate", ""),
            ("step", "findings_shared", "supports", "moderate", ""),
        ],
    },
    {
        "key": "p3_drip", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: team leaders and practitioners differ on the report",
        "source": IMPACT_MEETING,
        "summary": "Practitioner 3 circulated her report and asked colleagues whether it made a difference. "
                   "Team leaders said it did not; practitioners said the 'drip drip' keeps them motivated. An "
                   "article on the council's intranet is planned.",
        "quote": "The team leaders said, 'erm, well yeah I read it, didn't make any difference'. But the "
                 "practitioners are saying it's the drip drip thing that keeps them motivated every day, and it "
                 "made a big difference to them",
        "pseudonym": "Practitioner 3", "consent": True,
        "links": [
            ("step", "reports_resonate", "mixed", "moderate", "Practitioners yes, team leaders no."),
            ("step", "findings_shared", "supports", "moderate", "Circulated; intranet article planned."),
            ("assumption", ("reports_resonate", "value_relationships",
                            "Repeated exposure ('drip drip') builds up over time"), "supports", "weak", ""),
            ("assumption", ("prp_reports", "findings_shared",
                            "Team leaders make space for findings on forum and team agendas"), "challenges",
             "weak", "These team leaders saw no difference."),
        ],
    },
    {
        "key": "p1_values", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: the project reaffirmed basic social work values",
        "source": IMPACT_MEETING,
        "summary": "Practitioner 1's frustration: social workers already know what they want (time with "
                   "families, explaining, reflection), but decision makers ignore it because of the pressure of "
                   "performance management.",
        "quote": "All this project's done is reaffirm basic social work values...in terms of how you influence "
                 "decision makers, they continue to ignore that because of the pressure of performance "
                 "management",
        "pseudonym": "Practitioner 1", "consent": True,
        "links": [
            ("factor", "Performance management culture", "supports", "strong", ""),
            ("step", "culture_shift", "challenges", "moderate", "Decision makers have not moved."),
            ("step", "value_relationships", "mixed", "moderate",
             "Values reaffirmed, not new: an alternative explanation for the capacity change."),
            ("link", ("manager_dialogue", "culture_shift"), "challenges", "moderate", ""),
        ],
    },
    {
        "key": "p2_forum", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: invited to present at the practitioner forum",
        "source": IMPACT_MEETING,
        "summary": "Practitioner 2 has been asked to present his report and findings at the local practitioner "
                   "forum, as the theme for a morning's discussion.",
        "quote": "So this is me presenting the report and the findings and discussing it with other social "
                 "workers And that will be useful",
        "pseudonym": "Practitioner 2", "consent": True,
        "links": [
            ("step", "findings_shared", "supports", "moderate", "Planned at the time of the meeting."),
        ],
    },
    {
        "key": "honest_first_visit", "kind": "meeting_record", "date": "2011-06-17", "group": "practitioner",
        "title": "Impact meeting: explaining the statutory role at the first visit",
        "source": IMPACT_MEETING,
        "summary": "A practitioner described explaining plainly at first visits what she must do and what is "
                   "up to the family, following her project's findings on honesty. She agreed to the recording "
                   "but asked not to be quoted, so her words are summarised only.",
        "quote": "I tell them at the first visit what I have to do and what is up to them. A couple of parents "
                 "have said nobody had been that straight with them before.",
        "pseudonym": "", "consent": False,
        "links": [
            ("step", "relational_practice", "supports", "moderate", "A specific change in her own practice."),
            ("link", ("value_relationships", "relational_practice"), "supports", "moderate", ""),
        ],
    },
    # --- After the impact meeting -------------------------------------------------------------------------
    {
        "key": "guide", "kind": "document", "date": "2011-08-31", "group": "academic",
        "title": "Good practice guide: engaging with involuntary clients",
        "source": "Project booklet for practitioners (published online and in print)",
        "summary": "An accessible booklet summarising the PRP findings on what works in engaging involuntary "
                   "clients: trust built over time, honesty about concerns, listening to the family's story, "
                   "flexible timescales.",
        "links": [
            ("step", "good_practice_guide", "supports", "strong", "Published."),
            ("step", "guide_writing", "supports", "strong", ""),
            ("link", ("guide_writing", "good_practice_guide"), "supports", "strong", ""),
            ("link", ("academic_time", "guide_writing"), "supports", "moderate", ""),
            ("link", ("prps_mentoring", "good_practice_guide"), "supports", "moderate", "Built on the PRP findings."),
        ],
    },
    {
        "key": "la_b_forum", "kind": "practitioner_update", "date": "2011-09-12", "group": "practitioner",
        "author": "practitioner@demo.example.org",
        "title": "Update from Local authority B: PRP report discussed at the practitioner forum",
        "source": "Practitioner update, Local authority B",
        "summary": "The PRP report was presented at the locality practitioner forum and discussed for a "
                   "morning; the discussion centred on writing reports families can read. One team leader has "
                   "asked for the good practice guide for the team's induction pack. Nothing yet from senior "
                   "management.",
        "links": [
            ("step", "findings_shared", "supports", "moderate", "The forum presentation took place."),
            ("assumption", ("prp_reports", "findings_shared",
                            "Team leaders make space for findings on forum and team agendas"), "supports",
             "moderate", ""),
            ("step", "manager_dialogue", "mixed", "weak", "A team leader engaged; senior managers not yet."),
        ],
    },
    {
        "key": "parents_voice", "kind": "workshop_notes", "date": "2011-09-20", "group": "service_user",
        "author": "coresearcher@demo.example.org",
        "title": "Parents' Voice group: comments on the good practice guide",
        "source": "Parents' Voice group meeting notes",
        "summary": "Parents found the guide's plain language welcome and recognised its points about honesty "
                   "and keeping your word. They asked for a version for families saying what they can expect "
                   "from a social worker, and doubted that workers with heavy caseloads would have time to "
                   "follow it.",
        "links": [
            ("step", "good_practice_guide", "supports", "moderate", "Readable and recognisable to parents."),
            ("factor", "Heavy caseloads and bureaucratic demands", "supports", "weak", "Parents' doubt about time."),
        ],
    },
]

# Step key -> (progress, confidence, rationale, alternatives). Steps left out are not assessed yet:
# the funding input and the wider outcomes for clients (no evidence gathered).
STEP_ASSESSMENTS: dict[str, tuple[str, str, str, str]] = {
    "academic_time": ("good", "medium", "Mentoring ran about monthly, face to face, once the wiki failed; "
                      "practitioners valued an accessible, reliable mentor.", ""),
    "la_staff_time": ("some", "medium", "All six authorities released staff for seminars and PRPs, but protected "
                      "time was hard to get and one manager could not backfill a post.",
                      "Released time came partly from practitioners' own goodwill."),
    "scoping_review": ("good", "medium", "Done and published before the first seminar.", ""),
    "seminars": ("good", "high", "The seminars ran as planned, with register, questionnaires and action cards.", ""),
    "prps_mentoring": ("good", "high", "Seven projects started with training and regular mentoring.", ""),
    "guide_writing": ("good", "medium", "The guide was written and published at the end of the project.", ""),
    "briefing_reviews": ("good", "medium", "The briefing and two reviews are online; only our own record so far.",
                         ""),
    "prp_reports": ("good", "high", "Six of seven projects completed and written up.",
                    "The incomplete project shows the risk of casework crowding out research."),
    "good_practice_guide": ("good", "medium", "Published in August 2011; parents found it readable.",
                            "Too early to say whether teams use it."),
    "six_las": ("good", "medium", "All six authorities sent staff to the first seminar and ran PRPs.", ""),
    "seminar_attendees": ("good", "high", "38 at the first seminar, 31 at the second, from all six authorities.",
                          ""),
    "prp_practitioners": ("good", "high", "Practitioners from all six authorities did PRPs; five came to the "
                          "impact meeting.", ""),
    "findings_shared": ("some", "medium", "Reports circulated, presented at a forum and sent round by management "
                        "in at least three authorities.", "Sharing depended on individual routes and chance."),
    "seminars_useful": ("good", "medium", "26 of 30 and 22 of 24 questionnaire respondents found the seminars "
                        "useful or relevant.", "Reactions on the day are usually positive; they show little "
                        "about later use."),
    "reports_resonate": ("some", "low", "Practitioners say the 'drip drip' keeps them motivated; team leaders "
                         "said it made no difference, and one report was barely read until sent from above.",
                         "Interest may follow the sender's seniority more than the content."),
    "action_plans": ("good", "high", "26 of 38 attendees wrote actions.", ""),
    "think_risk": ("some", "medium", "Practitioner 2's account and follow-up answers describe thinking "
                   "differently about risk.", "The Munro review was making the same argument; PRP practitioners "
                   "chose to take part and may already have leaned this way."),
    "value_relationships": ("some", "medium", "Practitioners value relationship-based practice, and several say "
                            "the project reaffirmed it.", "They valued it before the programme (first seminar "
                            "flipcharts): the project reaffirmed and legitimised rather than created it."),
    "relational_practice": ("some", "medium", "Follow-up answers and the impact meeting give specific examples "
                            "of changed practice, mainly from PRP practitioners.",
                            "Self-report from 12 of 26 card holders; Munro and existing values push the same way; "
                            "caseloads limit how far it can go."),
    "reports_for_client": ("some", "low", "One vivid example with the practitioner's own counterfactual.",
                           "A single practitioner's account; we have not seen other reports."),
    "manager_dialogue": ("some", "medium", "Dialogue with managers in some authorities, pushed by a chief "
                         "social work officer in one; no senior take-up in another.",
                         "The Munro review made managers receptive anyway; the champion came about by chance."),
    "clients_understand": ("low", "low", "One mother read her report closely, as told by her social worker.",
                           "No client's own account yet."),
    "families_engage": ("low", "low", "One family changed 'hugely' in the worker's account; PRP interviews show "
                        "trust can grow over time.", "Better engagement in the PRP interviews predates the "
                        "programme's influence; we have no families' accounts of change since."),
    "culture_shift": ("low", "low", "A debate has started in one authority; practitioners say decision makers "
                      "still ignore them because of performance management.",
                      "Any shift would owe much to Munro and Changing Lives."),
}

# (source key, target key) -> (progress, confidence, rationale, alternatives, {assumption or risk text: state})
LINK_ASSESSMENTS: dict[tuple[str, str], tuple[str, str, str, str, dict[str, str]]] = {
    ("seminars", "seminar_attendees"): (
        "good", "high", "The theme drew practitioners and managers from all six authorities.", "",
        {"The theme is timely and meaningful, so staff choose to come": "holds"}),
    ("seminar_attendees", "seminars_useful"): (
        "good", "medium", "Attendees rated the seminars useful; some wanted more practical examples.", "",
        {"Seminars are practical and speak to day-to-day practice": "partly"}),
    ("academic_time", "prps_mentoring"): (
        "good", "medium", "Mentoring worked once it moved to face-to-face contact.", "",
        {"Mentors understand the social work role and are accessible and reliable": "holds",
         "Face-to-face contact is possible, as email and online tools reach practitioners poorly": "holds"}),
    ("la_staff_time", "prps_mentoring"): (
        "some", "medium", "Staff were released, but protected time was fragile.", "",
        {"Each authority protects time for its practitioner researchers": "partly",
         "Practitioners can get access to families and colleagues to interview": "holds",
         "A practitioner leaves or changes job and the project stalls": "unknown"}),
    ("prps_mentoring", "prp_reports"): (
        "good", "high", "Six of seven projects were completed.", "",
        {"Mentoring keeps practitioners going alongside their caseloads": "partly",
         "Projects are not completed (one of the seven was not)": "holds"}),
    ("prp_practitioners", "think_risk"): (
        "some", "medium", "Practitioner 2 links his changed thinking about risk to the research itself.",
        "Munro's arguments about risk were in the air at the same time.",
        {"Doing research gives practitioners room to reflect critically on their work": "holds"}),
    ("value_relationships", "relational_practice"): (
        "some", "medium", "Where practitioners had room, values turned into practice.",
        "Caseloads, not knowledge, are the main limit.",
        {"Caseloads leave time for direct work with families": "does_not_hold",
         "Worker continuity lets trust build over time": "unknown"}),
    ("value_relationships", "reports_for_client"): (
        "some", "low", "One practitioner changed how she writes reports.", "",
        {"Practitioners feel able to depart from the usual report format": "partly"}),
    ("value_relationships", "manager_dialogue"): (
        "some", "medium", "Dialogue opened where practitioners had a route to senior managers.",
        "Chance (a shared building) and Munro played a large part.",
        {"Managers give PRP findings time in team meetings": "partly",
         "Practitioners have routes to senior managers": "partly",
         "Managers treat knowledge exchange as an event, not a process": "holds"}),
    ("six_las", "reports_resonate"): (
        "some", "low", "Reports got read when a familiar or senior name sent them round.", "",
        {"A familiar name or senior manager sends the report round, so people read it": "holds",
         "Colleagues are overwhelmed by other work and never open it": "holds"}),
    ("prp_reports", "findings_shared"): (
        "some", "medium", "Findings reached forums, teams and an intranet article in preparation.", "",
        {"Team leaders make space for findings on forum and team agendas": "partly"}),
    ("reports_for_client", "clients_understand"): (
        "some", "low", "In the one example, the mother read and understood the report.", "",
        {"The client reads the report and it explains the issues plainly": "holds"}),
    ("relational_practice", "families_engage"): (
        "low", "low", "Parents in the PRP interviews describe trust growing over time with honest workers.",
        "We have no families' accounts of change since the programme.",
        {"Clients' fears of children being removed can be eased over time": "holds",
         "Workers stick to their word and stay honest about concerns": "unknown"}),
    ("manager_dialogue", "culture_shift"): (
        "low", "low", "Debate has started in one authority, but performance management still dominates.", "",
        {"Senior managers keep the debate open as a legitimate discussion": "partly",
         "Performance management pressures keep decision makers focused on targets": "holds"}),
}

ASSESSED_ON = "2011-09-27"
STORY_DATE = "2011-09-29"

# A story snapshot saved between the PRP reports (March 2011) and the impact meeting (June 2011),
# holding the evidence dated up to then, before any step was assessed, so "compare" has a past to show.
INTERIM_DATE = "2011-03-31"
INTERIM_NAME = "Interim report to the funder"
INTERIM_CONCLUSION = (
    "Interim, March 2011. The seminars, the training and the mentoring took place as planned, and six of the "
    "seven practitioner research projects are written up. Whether practice has changed is not yet known: the "
    "impact meeting planned for June will ask the practitioners, and a follow-up of the action cards will follow."
)

STANDARDS: dict[str, str] = {
    "low": "One source only (often a single practitioner's account), or only the project team's own view.",
    "medium": "Two or more sources agree, or a document or figure shows it directly, and nothing strong "
              "challenges it.",
    "high": "Several sources from at least two partner groups agree (including practitioners' or service users' "
            "own accounts), and we have weighed the alternative explanations.",
}

# Tests: (description, test type, sensitivity, type-I error, found, evidence item key). None values take
# the preset for the type (impact.tracing.bayes.PRESETS).
CLAIMS: list[dict[str, Any]] = [
    {
        "statement": "The knowledge-exchange programme, through the PRPs, contributed to the practitioners involved "
                     "changing how they engage with involuntary clients.",
        "description": "About the practitioners who did PRPs, not the authorities' workforce as a whole.",
        "step": "relational_practice", "prior": 0.5, "intended_posterior": 0.86,
        "tests": [
            ("PRP practitioners describe at least one concrete change in their own practice since the project "
             "(expected if the claim holds, but common anyway)", "hoop", None, None, True, "impact_meeting"),
            ("Follow-up answers report progress on practice actions, the fullest from PRP practitioners",
             "straw_in_the_wind", None, None, True, "followup_figure"),
            ("A practitioner says that before the project she would have written the report for the conference, "
             "not the client. Unlikely without the project, but self-report to the team, so less unique than a "
             "classic smoking gun", "custom", 0.4, 0.1, True, "p3_report"),
            ("Team leaders notice a change in practitioners' work: sought by Practitioner 3, not found",
             "straw_in_the_wind", None, None, False, "p3_drip"),
        ],
    },
    {
        "statement": "The PRPs contributed to dialogue with managers about relationship-based practice in the "
                     "partner authorities.",
        "description": "Dialogue, not yet a change of culture.",
        "step": "manager_dialogue", "prior": 0.5, "intended_posterior": 0.82,
        "tests": [
            ("PRP reports reach managers in several authorities", "hoop", None, None, True, "radars"),
            ("A chief social work officer uses a PRP report to open debate about relationship-based practice. "
             "Rests on one practitioner's account and a chance job move, so discounted from a smoking gun",
             "custom", 0.3, 0.05, True, "p1_cso"),
            ("Senior managers in Practitioner 2's authority take up the findings: sought, not found",
             "straw_in_the_wind", None, None, False, "p2_sponsors"),
            ("Managers' interest coincides with the Munro review, which is likelier if the dialogue would have "
             "happened anyway", "custom", 0.5, 0.7, True, "managers_munro"),
        ],
    },
]

CONCLUSION = (
    "Our evidence suggests that the knowledge-exchange programme, and the practitioner research projects in "
    "particular, contributed to more relationship-based practice among the practitioners most closely involved. "
    "The activities were carried out: the seminars drew staff from all six authorities, six of the seven PRPs "
    "were completed and written up, and the good practice guide was published. Practitioners who did PRPs "
    "describe concrete changes in their own work, such as supporting clients to take risks and writing a "
    "conference report for the mother rather than for the professionals, and in some authorities the findings "
    "opened a dialogue with managers, helped by a chief social work officer who championed one report.\n\n"
    "Beyond these practitioners the evidence is thin. Most of it is self-report from a small, self-selected "
    "group; team leaders in one authority said the report made no difference; one practitioner could not get "
    "his findings up the hierarchy after senior sponsors moved on; and we have no families' own accounts of "
    "change since the programme. Other factors share the credit: the Munro review made our messages timely and "
    "uncontentious to managers, while heavy caseloads, performance management and locked-down IT worked against "
    "us. The project may have reaffirmed values practitioners already held, and given them licence to act on "
    "them, more than it taught them anything new. Where change came, it came gradually, a 'drip drip' through "
    "relationships rather than a linear transfer of messages. To strengthen the claim we would follow up with "
    "managers and, with their consent, with families themselves."
)
