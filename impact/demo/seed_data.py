"""Demo data: the "Engaging with involuntary clients" knowledge-exchange project.

Plain Python data only. The project, its results chain, influencing factors and
quotes follow the seed paper (Smith, Wilkinson and Gallagher 2013, "It's what gets
through people's radars isn't it"), a University of Edinburgh project with six
local authorities in South East Scotland. People's names are invented; the seed's
participants are anonymous, and the local authorities are anonymised as A to F.
"""

from __future__ import annotations

from typing import Any

PROJECT: dict[str, Any] = {
    "title": "Engaging with involuntary clients",
    "question": (
        "Has our knowledge-exchange programme contributed to more "
        "relationship-based practice with involuntary clients in the six "
        "partner local authorities?"
    ),
    "description": (
        "A knowledge-exchange partnership between the University of Edinburgh and "
        "six local authorities in South East Scotland on engaging with involuntary "
        "clients, mostly families in the child protection system. The team ran a "
        "scoping review and briefing, knowledge-sharing seminars and seven "
        "practitioner research projects (PRPs) with academic mentoring, and "
        "summarised the findings in a good practice guide. Impact was assessed "
        "with contribution analysis, using action cards and an impact meeting "
        "three months after the PRPs ended."
    ),
    "start_date": "2010-01-11",
    "end_date": "2011-09-30",
    "funder": "Engaging with Scottish Local Authorities initiative (SFC, ESRC and LARCI)",
    "programme": "Engaging with Scottish Local Authorities",
}

ORGANISATIONS: list[dict[str, str]] = [
    {"name": "University of Edinburgh", "kind": "university"},
    {"name": "Local authority A", "kind": "local_authority"},
    {"name": "Local authority B", "kind": "local_authority"},
    {"name": "Local authority C", "kind": "local_authority"},
    {"name": "Local authority D", "kind": "local_authority"},
    {"name": "Local authority E", "kind": "local_authority"},
    {"name": "Local authority F", "kind": "local_authority"},
    {
        "name": "Engaging with Scottish Local Authorities initiative (SFC, ESRC and LARCI)",
        "kind": "funder",
    },
    # Invented: the seed project had no service-user group; the demo adds one so
    # that the co-researcher role has a home (seeds 000-002).
    {"name": "Parents' Voice group", "kind": "service_user_group"},
]

LEVELS: list[str] = [
    "Inputs",
    "Activities",
    "Outputs",
    "Reach",
    "Reactions",
    "Capacity change",
    "Practice change",
    "Direct benefits",
    "Wider outcomes",
]

STEPS: list[dict[str, str]] = [
    # Inputs
    {
        "key": "ke_funding",
        "level": "Inputs",
        "title": "Funding from the Engaging with Scottish Local Authorities scheme",
        "description": (
            "Funding from the SFC, ESRC and LARCI scheme, set up to foster research "
            "and knowledge mobilisation links between universities and local authorities."
        ),
    },
    {
        "key": "academic_time",
        "level": "Inputs",
        "title": "Academic and research fellow time",
        "description": (
            "Time from university academics, including a principal investigator who is an "
            "experienced social worker, and a research fellow who mentors and coordinates."
        ),
    },
    {
        "key": "la_staff_time",
        "level": "Inputs",
        "title": "Local authority staff time",
        "description": (
            "Social work staff released by the six local authorities to plan the project, "
            "attend seminars and carry out practitioner research."
        ),
    },
    # Activities
    {
        "key": "scoping_review",
        "level": "Activities",
        "title": "Scoping review of research on user engagement",
        "description": (
            "A scoping review of recent research on user engagement in social work, "
            "on the theme the local authorities chose in planning meetings."
        ),
    },
    {
        "key": "seminars",
        "level": "Activities",
        "title": "Knowledge-sharing seminars",
        "description": (
            "Seminars bringing together academics and social work staff from the six "
            "local authorities; the first one collected action cards."
        ),
    },
    {
        "key": "prps_mentoring",
        "level": "Activities",
        "title": "Seven practitioner research projects with mentoring",
        "description": (
            "Practitioners from each local authority (two from one) carry out small "
            "studies on engaging involuntary clients, with training and mentoring from academics."
        ),
    },
    {
        "key": "guide_writing",
        "level": "Activities",
        "title": "Writing the good practice guide",
        "description": (
            "The team summarises the project's findings in an accessible booklet for "
            "practitioners."
        ),
    },
    # Outputs
    {
        "key": "briefing_reviews",
        "level": "Outputs",
        "title": "Briefing and two literature reviews",
        "description": (
            "The scoping review presented as a short, accessible briefing and two "
            "literature reviews, published online."
        ),
    },
    {
        "key": "prp_reports",
        "level": "Outputs",
        "title": "Six completed PRP reports",
        "description": (
            "Six of the seven practitioner research projects are completed and written up, "
            "with findings on trust, honesty, listening and advocacy."
        ),
    },
    {
        "key": "good_practice_guide",
        "level": "Outputs",
        "title": "Good practice guide",
        "description": (
            "A booklet for practitioners summarising what works in engaging with "
            "involuntary clients."
        ),
    },
    # Reach
    {
        "key": "six_las",
        "level": "Reach",
        "title": "Six local authorities take part",
        "description": (
            "All six local authorities in South East Scotland stay engaged through "
            "seminars and practitioner research."
        ),
    },
    {
        "key": "seminar_attendees",
        "level": "Reach",
        "title": "Social work staff attend the seminars",
        "description": (
            "Practitioners and managers from the six authorities attend; 26 action "
            "cards are filled in at the first seminar."
        ),
    },
    {
        "key": "prp_practitioners",
        "level": "Reach",
        "title": "Practitioners carry out PRPs",
        "description": (
            "Front-line practitioners and team leaders do their own research, "
            "interviewing social workers and parents."
        ),
    },
    # Reactions
    {
        "key": "seminars_useful",
        "level": "Reactions",
        "title": "Attendees find the seminars useful",
        "description": (
            "Seminar questionnaires and flipchart notes show attendees found the "
            "seminars useful and relevant to their work."
        ),
    },
    {
        "key": "reports_resonate",
        "level": "Reactions",
        "title": "Colleagues find the PRP reports relevant",
        "description": (
            "Colleagues who read the reports say the 'drip drip' of the findings keeps "
            "them motivated and reaffirms basic social work values."
        ),
    },
    # Capacity change
    {
        "key": "action_plans",
        "level": "Capacity change",
        "title": "Attendees commit to actions",
        "description": (
            "At the first seminar attendees write up to three actions they hope to take "
            "during the project."
        ),
    },
    {
        "key": "think_risk",
        "level": "Capacity change",
        "title": "Practitioners think differently about risk",
        "description": (
            "Practitioners support clients to take risks rather than backing away from "
            "risk as something to manage and get rid of (Practitioner 2)."
        ),
    },
    {
        "key": "value_relationships",
        "level": "Capacity change",
        "title": "Practitioners value relationship-based practice",
        "description": (
            "Practitioners see trust built over time, honesty and listening as central "
            "to engaging involuntary clients."
        ),
    },
    # Practice change
    {
        "key": "relational_practice",
        "level": "Practice change",
        "title": "More relationship-based work with clients",
        "description": (
            "Practitioners give clients time to tell their story, keep their word, are "
            "upfront about concerns and recognise what families do well."
        ),
    },
    {
        "key": "reports_for_client",
        "level": "Practice change",
        "title": "Reports written for the client",
        "description": (
            "Reports are written to explain the issues to the client, not only for the "
            "case conference and professionals (Practitioner 3)."
        ),
    },
    {
        "key": "manager_dialogue",
        "level": "Practice change",
        "title": "Managers take up PRP findings",
        "description": (
            "Front-line managers and senior managers use the PRP findings to address "
            "cultures of engagement in their authority."
        ),
    },
    # Direct benefits
    {
        "key": "clients_understand",
        "level": "Direct benefits",
        "title": "Clients understand the concerns about them",
        "description": (
            "Clients know what the concerns are and why, as when a mother read her "
            "conference report until it was 'really thumbed'."
        ),
    },
    {
        "key": "families_engage",
        "level": "Direct benefits",
        "title": "Families engage better with social workers",
        "description": (
            "Families move from mutual suspicion towards trust and become more able to "
            "voice their views in meetings."
        ),
    },
    # Wider outcomes
    {
        "key": "culture_shift",
        "level": "Wider outcomes",
        "title": "Authority cultures shift towards relationship-based practice",
        "description": (
            "Local authorities move from a compliance culture to a learning culture "
            "that makes room for relationship-based social work."
        ),
    },
    {
        "key": "better_outcomes",
        "level": "Wider outcomes",
        "title": "Better outcomes for involuntary clients",
        "description": (
            "Families in the child protection system and other involuntary clients are "
            "better supported and their lives improve."
        ),
    },
]

LINKS: list[dict[str, Any]] = [
    # Inputs -> Activities
    {
        "source": "ke_funding",
        "target": "seminars",
        "assumptions": ["Funding covers venues and the seminar programme"],
        "risks": [],
    },
    {
        "source": "ke_funding",
        "target": "prps_mentoring",
        "assumptions": ["Funding covers mentoring and training for practitioner researchers"],
        "risks": ["Funding ends before the projects are written up"],
    },
    {
        "source": "academic_time",
        "target": "scoping_review",
        "assumptions": ["Academics can turn the review round quickly enough to inform the seminars"],
        "risks": [],
    },
    {
        "source": "academic_time",
        "target": "prps_mentoring",
        "assumptions": [
            "Mentors understand the social work role and are accessible and reliable",
            "Face-to-face contact is possible, as email and online tools reach practitioners poorly",
        ],
        "risks": ["Academic teaching loads squeeze mentoring time"],
    },
    {
        "source": "academic_time",
        "target": "guide_writing",
        "assumptions": ["Time is kept at the end of the project to write the guide"],
        "risks": [],
    },
    {
        "source": "la_staff_time",
        "target": "seminars",
        "assumptions": ["Managers release staff to attend"],
        "risks": ["Crises and caseload pressure pull staff out at short notice"],
    },
    {
        "source": "la_staff_time",
        "target": "prps_mentoring",
        "assumptions": [
            "Each authority protects time for its practitioner researchers",
            "Practitioners can get access to families and colleagues to interview",
        ],
        "risks": ["A practitioner leaves or changes job and the project stalls"],
    },
    # Activities -> Outputs
    {
        "source": "scoping_review",
        "target": "briefing_reviews",
        "assumptions": ["The review can be written in a short, accessible form for practitioners"],
        "risks": [],
    },
    {
        "source": "prps_mentoring",
        "target": "prp_reports",
        "assumptions": ["Mentoring keeps practitioners going alongside their caseloads"],
        "risks": ["Projects are not completed (one of the seven was not)"],
    },
    {
        "source": "guide_writing",
        "target": "good_practice_guide",
        "assumptions": ["Practitioners help shape the guide so it speaks to practice"],
        "risks": [],
    },
    {
        "source": "prps_mentoring",
        "target": "good_practice_guide",
        "assumptions": ["PRP findings are ready in time to feed into the guide"],
        "risks": [],
    },
    # Activities -> Reach (skips)
    {
        "source": "seminars",
        "target": "seminar_attendees",
        "assumptions": ["The theme is timely and meaningful, so staff choose to come"],
        "risks": [],
    },
    {
        "source": "prps_mentoring",
        "target": "prp_practitioners",
        "assumptions": ["Each authority puts forward at least one practitioner researcher"],
        "risks": [],
    },
    {
        "source": "seminars",
        "target": "six_las",
        "assumptions": ["Seminars bring staff from all six authorities together"],
        "risks": ["Senior sponsors who approved the project move on"],
    },
    # Outputs -> Reach
    {
        "source": "briefing_reviews",
        "target": "seminar_attendees",
        "assumptions": ["The briefing is handed out and discussed at the seminars"],
        "risks": [],
    },
    {
        "source": "prp_reports",
        "target": "six_las",
        "assumptions": ["Reports are circulated within each authority, not only to the team"],
        "risks": ["Email overload means reports go unread"],
    },
    {
        "source": "good_practice_guide",
        "target": "six_las",
        "assumptions": ["Authorities distribute the guide to front-line teams"],
        "risks": [],
    },
    # Reach -> Reactions
    {
        "source": "seminar_attendees",
        "target": "seminars_useful",
        "assumptions": ["Seminars are practical and speak to day-to-day practice"],
        "risks": [],
    },
    {
        "source": "six_las",
        "target": "reports_resonate",
        "assumptions": [
            "A familiar name or senior manager sends the report round, so people read it",
        ],
        "risks": ["Colleagues are overwhelmed by other work and never open it"],
    },
    {
        "source": "prp_reports",
        "target": "reports_resonate",
        "assumptions": ["Findings written by local colleagues feel credible and useful"],
        "risks": [],
    },
    # Reactions -> Capacity change
    {
        "source": "seminars_useful",
        "target": "action_plans",
        "assumptions": ["Attendees see actions they can realistically take in their role"],
        "risks": [],
    },
    {
        "source": "seminars_useful",
        "target": "value_relationships",
        "assumptions": ["Seminar messages connect with what practitioners already believe"],
        "risks": [],
    },
    {
        "source": "reports_resonate",
        "target": "value_relationships",
        "assumptions": ["Repeated exposure ('drip drip') builds up over time"],
        "risks": ["Team leaders read the report but say it made no difference"],
    },
    # Reach -> Capacity change (skips)
    {
        "source": "prp_practitioners",
        "target": "think_risk",
        "assumptions": ["Doing research gives practitioners room to reflect critically on their work"],
        "risks": [],
    },
    {
        "source": "prp_practitioners",
        "target": "value_relationships",
        "assumptions": ["Hearing parents' accounts first hand changes how practitioners see the work"],
        "risks": [],
    },
    # Capacity change -> Practice change
    {
        "source": "think_risk",
        "target": "relational_practice",
        "assumptions": ["Practitioners have discretion to apply new thinking in decisions"],
        "risks": ["Procedural risk management overrides practitioner judgement"],
    },
    {
        "source": "value_relationships",
        "target": "relational_practice",
        "assumptions": [
            "Caseloads leave time for direct work with families",
            "Worker continuity lets trust build over time",
        ],
        "risks": ["Managerially driven timescales cut relationships short"],
    },
    {
        "source": "value_relationships",
        "target": "reports_for_client",
        "assumptions": ["Practitioners feel able to depart from the usual report format"],
        "risks": [],
    },
    {
        "source": "action_plans",
        "target": "relational_practice",
        "assumptions": ["Attendees remember and return to their planned actions"],
        "risks": ["Workload pressures crowd out the actions"],
    },
    {
        "source": "value_relationships",
        "target": "manager_dialogue",
        "assumptions": [
            "Managers give PRP findings time in team meetings",
            "Practitioners have routes to senior managers",
        ],
        "risks": ["Managers treat knowledge exchange as an event, not a process"],
    },
    # Practice change -> Direct benefits
    {
        "source": "reports_for_client",
        "target": "clients_understand",
        "assumptions": ["The client reads the report and it explains the issues plainly"],
        "risks": [],
    },
    {
        "source": "relational_practice",
        "target": "families_engage",
        "assumptions": [
            "Clients' fears of children being removed can be eased over time",
            "Workers stick to their word and stay honest about concerns",
        ],
        "risks": ["A change of social worker breaks the relationship"],
    },
    {
        "source": "reports_for_client",
        "target": "families_engage",
        "assumptions": ["Being shown what the issues are makes clients more willing to work with the plan"],
        "risks": [],
    },
    # Practice change -> Wider outcomes (skip)
    {
        "source": "manager_dialogue",
        "target": "culture_shift",
        "assumptions": ["Senior managers keep the debate open as a legitimate discussion"],
        "risks": [
            "Performance management pressures keep decision makers focused on targets",
            "Austerity pushes authorities back to core statutory work",
        ],
    },
    # Direct benefits -> Wider outcomes
    {
        "source": "clients_understand",
        "target": "better_outcomes",
        "assumptions": ["Clients who understand the concerns can act on them"],
        "risks": [],
    },
    {
        "source": "families_engage",
        "target": "better_outcomes",
        "assumptions": ["Better engagement leads to plans that work for children and parents"],
        "risks": ["Wider pressures on families (poverty, mental health) outweigh better engagement"],
    },
]

FACTORS: list[dict] = [
    {
        "step": "manager_dialogue",
        "also": ["culture_shift"],  # one factor bearing on two steps, its evidence shared
        "title": "Munro review lands at the same time",
        "direction": "helping",
        "description": (
            "The Munro review of child protection called for more relational practice, "
            "so the findings were timely and uncontentious to managers."
        ),
    },
    {
        "step": "culture_shift",
        "title": "Changing Lives calls for culture change",
        "direction": "helping",
        "description": (
            "The 21st Century Social Work Review called for transformational culture "
            "change and more professional autonomy."
        ),
    },
    {
        "step": "manager_dialogue",
        "title": "Chief social work officer champions the report",
        "direction": "helping",
        "description": (
            "After a job move put one practitioner in the same building, the chief social "
            "work officer used the PRP report to open up debate about relationship-based practice."
        ),
    },
    {
        "step": "manager_dialogue",
        "title": "Senior sponsors move on",
        "direction": "hindering",
        "description": (
            "Senior people who approved one project moved on, so high-level buy-in was "
            "lost and the practitioner had to work slowly from the bottom up."
        ),
    },
    {
        "step": "manager_dialogue",
        "title": "Managers see knowledge exchange as an event",
        "direction": "hindering",
        "description": (
            "Managers wanted clear 'messages from research' to implement, rather than "
            "treating exchange as an ongoing process."
        ),
    },
    {
        "step": "prps_mentoring",
        "title": "Local authority firewalls block the project wiki",
        "direction": "hindering",
        "description": (
            "The project wiki was abandoned early because most practitioners could not "
            "reach it from their office computers."
        ),
    },
    {
        "step": "reports_resonate",
        "title": "Email overload",
        "direction": "hindering",
        "description": (
            "One practitioner sent his report to many people and barely anybody read it "
            "until senior management sent it round."
        ),
    },
    {
        "step": "relational_practice",
        "title": "Heavy caseloads and bureaucratic demands",
        "direction": "hindering",
        "description": (
            "Practitioners said heavy caseloads and paperwork keep them in the office "
            "writing plans rather than making plans with families."
        ),
    },
    {
        "step": "families_engage",
        "title": "Managerially driven timescales",
        "direction": "hindering",
        "description": (
            "Fixed timescales left no room for clients who need to go at their own pace, "
            "such as a mother with learning difficulties."
        ),
    },
    {
        "step": "culture_shift",
        "title": "Performance management culture",
        "direction": "hindering",
        "description": (
            "Decision makers continue to ignore what practitioners say they need because "
            "of the pressure of performance management."
        ),
    },
    {
        "step": "six_las",
        "title": "An insider lead with local credibility",
        "direction": "helping",
        "description": (
            "One principal investigator was an experienced social worker with local "
            "connections, which opened doors in the authorities."
        ),
    },
    {
        "step": "la_staff_time",
        "title": "Austerity pressure to retrench",
        "direction": "hindering",
        "description": (
            "In times of austerity authorities are tempted to retreat to core service "
            "delivery, squeezing time for research."
        ),
    },
]

DEMO_PASSWORD = "demo-password"

USERS: list[dict[str, Any]] = [
    {
        "email": "lead@demo.example.org",
        "name": "Dr Morag Lindsay",
        "role": "lead",
        "creates_projects": True,
        "partner_group": "academic",
        "organisation": "University of Edinburgh",
    },
    {
        "email": "team@demo.example.org",
        "name": "Dr Tomasz Nowak",
        "role": "team_member",
        "partner_group": "academic",
        "organisation": "University of Edinburgh",
    },
    {
        "email": "practitioner@demo.example.org",
        "name": "Shona Baird",
        "role": "practitioner_researcher",
        "partner_group": "practitioner",
        "organisation": "Local authority B",
    },
    {
        "email": "coresearcher@demo.example.org",
        "name": "Kirsty McAllister",
        "role": "co_researcher",
        "partner_group": "service_user",
        "organisation": "Parents' Voice group",
    },
    {
        "email": "funder@demo.example.org",
        "name": "Adebayo Okafor",
        "role": "funder",
        "partner_group": "funder",
        "organisation": "Engaging with Scottish Local Authorities initiative (SFC, ESRC and LARCI)",
    },
    {
        "email": "admin@demo.example.org",
        "name": "Site admin",
        "role": None,
        "admin": True,
    },
]

REVISIONS: list[dict[str, Any]] = [
    {
        "name": "Initial theory of change",
        "date": "2010-06-14",
        "changes": [],
    },
    {
        "name": "After the impact meeting",
        "date": "2011-06-20",
        "changes": [
            {
                "op": "add_step",
                "step": {
                    "key": "findings_shared",
                    "level": "Reach",
                    "title": "PRP findings presented to colleagues and forums",
                    "description": (
                        "Practitioner researchers present their findings at local practitioner "
                        "forums, circulate reports and plan an intranet article."
                    ),
                },
            },
            {
                "op": "add_link",
                "link": {
                    "source": "prp_reports",
                    "target": "findings_shared",
                    "assumptions": ["Team leaders make space for findings on forum and team agendas"],
                    "risks": ["Practitioners cannot try several routes at once without seeming to bypass people"],
                },
            },
            {
                "op": "add_link",
                "link": {
                    "source": "findings_shared",
                    "target": "reports_resonate",
                    "assumptions": ["Discussion with a familiar colleague gets findings through people's radars"],
                    "risks": [],
                },
            },
            {
                "op": "rename_step",
                "key": "manager_dialogue",
                "title": "Dialogue with managers about relationship-based practice",
            },
        ],
    },
]

# The report the lead published for the funder once the follow-up and the assessments were in (demo's date).
PUBLISHED_NAME = "Final report to the funder"
PUBLISHED_ON = "2011-09-30"
