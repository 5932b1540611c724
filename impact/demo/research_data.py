"""The seed's practitioner research projects (seed 004: "practitioners from each local authority carried out
small studies on topics relating to engaging with involuntary service users ... One local authority undertook
two pieces of practitioner research. Six out of seven projects were" completed). The seed names neither the
projects nor their topics one by one: the titles below are invented from the themes it reports (trust,
honesty, the client's own story, time and pace, caseloads), and so are the dates and the updates' wording,
except where an update quotes the seed (marked "seed")."""
from __future__ import annotations

from typing import Any

# Steps by their key in seed_data.STEPS.
PRP_STEPS = ["prp_practitioners", "prp_reports", "value_relationships", "relational_practice"]

PRPS: list[dict[str, Any]] = [
    {"title": "Building trust with mistrustful parents", "local_authority": "Local authority A",
     "status": "completed", "started_on": "2010-09-06", "ended_on": "2011-03-18",
     "aims": "Find out what helps parents who expect the worst of social workers to begin to trust them.",
     "steps": PRP_STEPS + ["families_engage"],
     "updates": [
         {"date": "2010-12-02", "what_did": "Interviewed three mothers and their social workers about the first "
          "months of their involvement.",
          "what_changed": "Hearing the mothers' accounts made me slow down my first visits.", "practice": True,
          "quote": "Initially she was very mistrustful of us...thinking 'how do I know you are going to follow "
          "through on these things?'", "pseudonym": "PRP1, social worker A", "seed": True},
     ]},
    {"title": "Honesty about concerns in child protection work", "local_authority": "Local authority B",
     "status": "completed", "started_on": "2010-09-06", "ended_on": "2011-03-25",
     "lead": "practitioner@demo.example.org",
     "aims": "How social workers can be honest about their concerns and still keep families on board.",
     "steps": PRP_STEPS + ["clients_understand"], "reminder_weeks": 6,
     "updates": [
         # Sent as a reply to her reminder email, then confirmed on the PRP's page.
         {"date": "2010-11-15", "what_did": "Ran a focus group with five colleagues on telling families the "
          "concerns plainly.", "what_changed": "We agreed to share our written concerns with families before "
          "meetings.", "team": True, "author": "practitioner@demo.example.org", "by_email": True},
         {"date": "2011-02-21", "what_did": "Wrote the first draft of the report with my mentor.",
          "what_changed": "Two families said they understood for the first time why we were involved.",
          "families": True, "author": "practitioner@demo.example.org",
          "quote": "I am sometimes going to say things to you that you are not going to like but I have to be "
          "honest with you", "pseudonym": "PRP1, social worker A", "seed": True},
     ]},
    {"title": "Working at the client's pace", "local_authority": "Local authority B", "status": "completed",
     "started_on": "2010-10-04", "ended_on": "2011-03-25",
     "aims": "What changes when timescales are set with the client rather than for them.",
     "steps": PRP_STEPS, "updates": []},
    {"title": "Letting families tell their own story", "local_authority": "Local authority C", "status": "completed",
     "started_on": "2010-09-13", "ended_on": "2011-03-11",
     "aims": "Starting involvement by hearing the family's account before the file's.",
     "steps": PRP_STEPS + ["families_engage"],
     "updates": [
         {"date": "2011-01-20", "what_did": "Tried opening every new case by asking for the family's story.",
          "what_changed": "The first meetings were longer but the later ones were easier.", "practice": True},
     ]},
    {"title": "Continuity of worker and engagement", "local_authority": "Local authority D", "status": "completed",
     "started_on": "2010-09-20", "ended_on": "2011-03-31",
     "aims": "Whether keeping the same worker changes how parents engage.", "steps": PRP_STEPS, "updates": []},
    {"title": "Caseloads and relational practice", "local_authority": "Local authority E", "status": "completed",
     "started_on": "2010-09-20", "ended_on": "2011-03-31",
     "aims": "What heavy caseloads leave of direct work with families.", "steps": PRP_STEPS + ["culture_shift"],
     "updates": [
         {"date": "2011-03-03", "what_did": "Presented early findings to the team meeting.",
          "what_changed": "Our manager asked for the report to go to the practitioner forum.", "team": True},
     ]},
    {"title": "Young people's views of compulsory measures", "local_authority": "Local authority F",
     "status": "stopped", "started_on": "2010-10-11", "ended_on": "2011-01-28",
     "aims": "How young people under supervision experience their social workers.", "steps": PRP_STEPS[:1],
     "updates": []},
]
