"""The demo school's hand-written threads: what Maya (the demo student) finds in her inbox.

Plain data, kept apart from the builder in demo_school.py so the prose can grow without
burying the logic. Every text here is our own. People are named by handle (see
demo_school.PEOPLE); "me" is the demo user. A thread's ``when`` is (month, day, hour,
minute) in 2026, UTC; a reply's first item is hours after the previous message.
"""

from __future__ import annotations

from typing import Any

Thread = dict[str, Any]

SYLLABUS = """BIO 101: Cells to Ecosystems (Fall 2026)
Instructor: Dr. Elena Vasquez  Office: Science Hall 214  Hours: Tue/Thu 2-4 pm
TA: Sam Whitfield  Lab hours: Wed 3-5 pm, Room 108

Grading: labs 35%, quizzes 15%, midterm 20%, final project 30%.
Late labs lose 10% per day unless you arrange an extension before the due date.
Bring closed-toe shoes and goggles to every lab. No exceptions, sorry!
"""

LAB_TEMPLATE = """Lab report template (BIO 101)

1. Title and date
2. Question: what did you set out to find?
3. Hypothesis: one sentence, testable.
4. Materials and method: enough detail that another team could repeat it.
5. Results: a table and one graph, labelled, with units.
6. Discussion: did the data support the hypothesis? Two sources of error.
7. References
"""

OSMOSIS_DATA = """potato_core,solution_molarity,mass_before_g,mass_after_g
A1,0.0,2.41,2.63
A2,0.2,2.38,2.44
A3,0.4,2.45,2.31
A4,0.6,2.40,2.17
A5,0.8,2.36,2.02
"""

ESSAY_OUTLINE = """Printing press project: outline (draft 2)

I.   Before Gutenberg: scribes, block printing, the cost of a book
II.  The press itself: movable type, oil-based ink, the screw press
III. Who read what: pamphlets, bibles, almanacs
IV.  Consequences: the Reformation, standardised spelling, scientific exchange
V.   Our argument: speed mattered less than the falling price of a copy
"""

READING_LIST = """HIST 210 reading list, weeks 9-12

Week 9  - The Atlantic revolutions, chapter 7 (pp. 201-236)
Week 10 - Primary sources packet B: letters and pamphlets
Week 11 - Haiti 1791-1804, chapter 8 and the map exercise
Week 12 - Latin American independence, chapter 9; short response due
"""

THREADS: list[Thread] = [
    {
        "key": "welcome_bio",
        "from": "vasquez", "to": ["course_bio_students"], "ctx": "bio", "group": True,
        "when": (8, 24, 13, 5),
        "subject": "Welcome to BIO 101!",
        "body": (
            "Hello everyone, and welcome to Cells to Ecosystems.\n\n"
            "I have attached the syllabus. Please read it before Thursday's lab, "
            "especially the safety section: goggles and closed-toe shoes are required "
            "from day one.\n\n"
            "If anything in it is unclear, reply here or come to office hours "
            "(Tuesdays and Thursdays, 2 to 4 pm, Science Hall 214).\n\n"
            "See you soon,\nDr. Vasquez"
        ),
        "attachments": [("syllabus.pdf", "application/pdf", SYLLABUS)],
        "replies": [
            (3, "liam", "Is the lab manual the same one as last year, or do we need the new edition?"),
            (2, "vasquez", "Good question: the 2025 edition is fine, nothing changed in the labs."),
        ],
        "star": True,
    },
    {
        "key": "welcome_hist",
        "from": "bell", "to": ["course_hist_students"], "ctx": "hist", "group": True,
        "when": (8, 25, 9, 30),
        "subject": "HIST 210: first week",
        "body": (
            "Welcome to Revolutions and Republics. This week we start with a question "
            "rather than a date: what makes a revolution different from a rebellion?\n\n"
            "Bring one example to Wednesday's discussion. Anything from any century counts."
        ),
        "replies": [],
    },
    {
        "key": "lab_team_intro",
        "from": "sofia", "to": ["group_lab"], "ctx": "group_lab", "group": True,
        "when": (8, 28, 18, 40),
        "subject": "Lab Team 4 :)",
        "body": (
            "Hi team! Looks like we are together for the whole semester. "
            "Should we make a shared doc for lab notes? I can set one up tonight."
        ),
        "replies": [
            (1, "ethan", "Yes please. Also can we agree to finish reports two days early?"),
            (2, "me", "Works for me. I'm free Wednesday afternoons if we need to meet."),
            (5, "zara", "Same, Wednesdays are good. Thanks Sofia!"),
        ],
    },
    {
        "key": "lab2_question",
        "from": "me", "to": ["whitfield"], "ctx": "bio",
        "when": (9, 8, 20, 15),
        "subject": "Question about the microscope lab",
        "body": (
            "Hi Sam, for Lab 2 do we need to draw the onion cells at both 100x and 400x, "
            "or is 400x enough? The handout mentions both but the rubric only lists one."
        ),
        "replies": [
            (14, "whitfield", "Both, please. The 100x sketch can be rough; it is there to show where you zoomed in."),
            (1, "me", "Got it, thanks!"),
        ],
    },
    {
        "key": "lab_template",
        "from": "whitfield", "to": ["course_bio_students"], "ctx": "bio", "group": True,
        "when": (9, 10, 15, 0),
        "subject": "Lab report template",
        "body": (
            "A few of you asked for a template, so here is the structure we grade against. "
            "You don't have to use it, but every section in it needs to be in your report.\n\n"
            "Sam (TA)"
        ),
        "attachments": [("lab-report-template.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", LAB_TEMPLATE)],
        "replies": [],
        "star": True,
    },
    {
        "key": "osmosis_data",
        "from": "ethan", "to": ["group_lab"], "ctx": "group_lab", "group": True,
        "when": (9, 17, 21, 5),
        "subject": "Osmosis lab data",
        "body": (
            "Here is the spreadsheet from today. A5 looks off to me, the core broke when "
            "we weighed it the second time. Should we leave it out or mention it as an error?"
        ),
        "attachments": [("osmosis-data.csv", "text/csv", OSMOSIS_DATA)],
        "replies": [
            (1, "sofia", "Keep it and mention it. Dr. V said she likes honest error sections."),
            (2, "me", "Agree. I'll write the discussion part if someone does the graph."),
            (1, "zara", "I'll do the graph tomorrow morning."),
        ],
    },
    {
        "key": "osmosis_fwd",
        "from": "me", "to": ["vasquez"], "ctx": "bio",
        "when": (9, 18, 10, 20),
        "subject": "Lab 3: can we keep a damaged sample?",
        "body": (
            "Dr. Vasquez, I'm forwarding our team's thread about the osmosis lab. "
            "One potato core broke between weighings. Is it better to drop it from the "
            "graph or keep it and discuss it as a source of error?"
        ),
        "forward_of": "osmosis_data",
        "replies": [
            (5, "vasquez", (
                "Keep it in the table, leave it out of the trend line, and say why in one "
                "sentence. That is exactly what a real lab notebook would do."
            )),
        ],
    },
    {
        "key": "printing_group",
        "from": "jonah", "to": ["group_press"], "ctx": "group_press", "group": True,
        "when": (9, 21, 19, 0),
        "subject": "Printing press project - who does what",
        "body": (
            "Proposal: I take the technology part (movable type, the press), Maya takes "
            "consequences, Leila does readers and pamphlets, Ravi does the intro and "
            "the slides. Objections?"
        ),
        "replies": [
            (2, "leila", "Fine by me."),
            (1, "me", "Sounds good. I made a first outline, attached. Edit freely."),
            (3, "ravi", "Happy with slides. Can we meet Thursday after class?"),
        ],
        "reply_attachments": {1: [("printing-press-outline.txt", "text/plain", ESSAY_OUTLINE)]},
    },
    {
        "key": "reading_list",
        "from": "haddad", "to": ["course_hist_students"], "ctx": "hist", "group": True,
        "when": (10, 19, 8, 45),
        "subject": "Readings for weeks 9 to 12",
        "body": (
            "Hi all, the reading list for the second half of the term is attached. "
            "The primary sources packet is in the Files section of the course.\n\n"
            "Noor (TA)"
        ),
        "attachments": [("reading-list-weeks-9-12.txt", "text/plain", READING_LIST)],
        "replies": [],
    },
    {
        "key": "essay_feedback",
        "from": "bell", "to": ["me"], "ctx": "hist",
        "when": (10, 6, 16, 10),
        "subject": "Feedback on your short essay",
        "body": (
            "Maya, I recorded a few minutes of feedback on your essay about the Estates-General "
            "rather than writing it all out. The argument is strong; the second half needs "
            "more evidence. Listen when you have a moment."
        ),
        "media": {"media_id": "m-essay-feedback", "media_type": "audio", "display_name": "Essay feedback (3 min)"},
        "replies": [
            (20, "me", "Thank you, that was really helpful. I'll add the Tennis Court Oath sources."),
        ],
        "star": True,
    },
    {
        "key": "midterm_review",
        "from": "vasquez", "to": ["course_bio_students"], "ctx": "bio", "group": True,
        "when": (10, 12, 12, 0),
        "subject": "Midterm review session on Thursday",
        "body": (
            "We will hold a review session on Thursday from 5 to 6:30 pm in Science Hall 120. "
            "Bring questions: I will not lecture, we will work through problems you choose.\n\n"
            "The practice exam is posted. A summary of membrane transport that several of "
            "you found useful last year: https://en.wikipedia.org/wiki/Membrane_transport"
        ),
        "replies": [
            (6, "diego", "Will the review be recorded? I have practice until 6."),
            (3, "vasquez", "Yes, the recording will be on the course page by Friday morning."),
        ],
    },
    {
        "key": "midterm_study",
        "from": "sofia", "to": ["me", "hana"], "ctx": "bio", "group": True,
        "when": (10, 13, 22, 30),
        "subject": "Study together before the midterm?",
        "body": "Library, second floor, Wednesday 7pm? I'll bring the flashcards I made for chapter 6.",
        "replies": [
            (1, "hana", "I'm in."),
            (9, "me", "Yes! I'll bring snacks and my practice exam answers so we can compare."),
        ],
        "archive": True,
    },
    {
        "key": "extension",
        "from": "me", "to": ["bell"], "ctx": "hist",
        "when": (10, 27, 9, 0),
        "subject": "Extension request for the map exercise",
        "body": (
            "Dear Mr. Bell,\n\n"
            "I was sick from Thursday to Sunday (I have a note from the health centre) and "
            "could not finish the Haiti map exercise. Could I hand it in on Wednesday instead "
            "of Monday?\n\n"
            "Thank you,\nMaya"
        ),
        "replies": [
            (4, "bell", "Of course, Wednesday is fine. I hope you are feeling better."),
        ],
    },
    {
        "key": "parent_note",
        "from": "grace", "to": ["vasquez", "me"], "ctx": "bio", "group": True,
        "when": (10, 29, 19, 45),
        "subject": "Missed lab on Friday",
        "body": (
            "Hello Dr. Vasquez, Maya was ill last week and missed Friday's lab. "
            "Is there a make-up session she can attend? Thank you for your help."
        ),
        "replies": [
            (13, "vasquez", (
                "Thank you for letting me know. Maya can join Sam's Wednesday lab hours "
                "(3 to 5 pm, Room 108) and do the experiment then. No penalty."
            )),
            (2, "me", "Thanks, I'll be there on Wednesday."),
        ],
    },
    {
        "key": "no_reply_question",
        "from": "me", "to": ["haddad"], "ctx": "hist",
        "when": (11, 5, 14, 20),
        "subject": "Primary sources packet B",
        "body": (
            "Hi Noor, the link to packet B in the Files section seems to open packet A. "
            "Could you check it when you get a chance?"
        ),
        "replies": [],
    },
    {
        "key": "final_project_groups",
        "from": "vasquez", "to": ["course_bio_students"], "ctx": "bio", "group": True,
        "when": (11, 9, 10, 0),
        "subject": "Final project: proposals due November 20",
        "body": (
            "Your final project is a small field study of a local ecosystem. Work in your "
            "lab teams. A proposal (one page) is due Friday, November 20.\n\n"
            "A good proposal says: what you will measure, where, how often, and what "
            "result would surprise you. Keep it small; a well-measured puddle beats a "
            "poorly measured forest.\n\n"
            "Examples from previous years are on the course page.\n\n"
            "Safety first: never wade in deeper than your knees, always work in pairs, and "
            "tell Sam where and when you will sample. The department's field kits (gloves, "
            "a first-aid box, a whistle) can be signed out from Room 108."
        ),
        "replies": [
            (26, "owen", "Can two teams study the same pond if we measure different things?"),
            (2, "vasquez", "Yes, as long as the questions differ. Tell me in the proposal."),
        ],
    },
    {
        "key": "pond_proposal",
        "from": "zara", "to": ["group_lab"], "ctx": "group_lab", "group": True,
        "when": (11, 16, 17, 10),
        "subject": "Proposal draft: the retention pond",
        "body": (
            "I wrote a draft of our proposal: we measure dissolved oxygen and count "
            "invertebrates at three spots of the retention pond behind the gym, every "
            "Saturday for four weeks.\n\n"
            "Please read it before Thursday and leave comments. The part I'm unsure about "
            "is how we choose the three spots."
        ),
        "attachments": [("pond-proposal-draft.txt", "text/plain", (
            "Field study proposal: Lab Team 4\n\nQuestion: does dissolved oxygen differ "
            "between the inflow, the middle and the reeds of the retention pond?\n"
            "Method: weekly readings with the department's DO meter, kick-net samples.\n"
        ))],
        "replies": [
            (3, "ethan", "Looks great. For the spots: inflow pipe, middle from the dock, and the reed bed."),
            (20, "sofia", "I can borrow the DO meter on Friday. Who has a car for Saturday?"),
        ],
    },
    {
        "key": "unread_vasquez",
        "from": "vasquez", "to": ["me"], "ctx": "bio",
        "when": (11, 20, 16, 30),
        "subject": "Your team's proposal",
        "body": (
            "Maya, I read Lab Team 4's proposal. Nice work. One request: add how you will "
            "calibrate the oxygen meter before each reading. Could you pass that on to your "
            "team? Resubmit by Tuesday."
        ),
        "replies": [],
        "unread": True,
        "star": True,
    },
    {
        "key": "unread_team",
        "from": "sofia", "to": ["group_lab"], "ctx": "group_lab", "group": True,
        "when": (11, 21, 10, 5),
        "subject": "Saturday sampling: meet at 9?",
        "body": "Meet at the gym parking lot at 9? Bring boots. The reeds are muddy.",
        "replies": [
            (1, "ethan", "9 works. I'll bring the nets and the clipboard."),
            (5, "zara", "I'll be 10 minutes late, start without me!"),
        ],
        "unread": True,
    },
    {
        "key": "unread_bell",
        "from": "bell", "to": ["course_hist_students"], "ctx": "hist", "group": True,
        "when": (11, 22, 8, 15),
        "subject": "No class Wednesday (Thanksgiving week)",
        "body": (
            "Reminder: no class on Wednesday. The short response on chapter 9 is now due "
            "Monday, November 30. Have a good break, everyone."
        ),
        "replies": [],
        "unread": True,
    },
    {
        "key": "unread_haddad_fwd",
        "from": "haddad", "to": ["me"], "ctx": "hist",
        "when": (11, 22, 14, 40),
        "subject": "Fwd: Primary sources packet B",
        "body": (
            "Sorry for the slow answer, Maya. You were right, the link was wrong; it is "
            "fixed now. Forwarding Mr. Bell's note about the packet too."
        ),
        "forward_of": "packet_b_note",
        "replies": [],
        "unread": True,
    },
    {
        "key": "packet_b_note",
        "from": "bell", "to": ["haddad"], "ctx": "hist",
        "when": (11, 21, 12, 0),
        "subject": "Packet B",
        "body": (
            "Noor, the Files link for packet B points at packet A. Could you fix it and "
            "let the students who asked know? The new file is in the shared drive."
        ),
        "replies": [],
    },
    {
        "key": "unread_ravi",
        "from": "ravi", "to": ["me"], "ctx": "hist",
        "when": (11, 22, 20, 50),
        "subject": "slides",
        "body": "hey, did you finish the consequences slides? no rush, just want to start the design tomorrow",
        "replies": [],
        "unread": True,
    },
]

# Conversations in the summer course that has since concluded (workflow "completed").
CONCLUDED: list[Thread] = [
    {
        "key": "writ_welcome",
        "from": "raman", "to": ["course_writ_students"], "ctx": "writ", "group": True,
        "when": (8, 3, 9, 0),
        "subject": "Summer Bridge Writing: final week",
        "body": (
            "This is our last week together. Portfolios are due Friday at noon. "
            "Please include your revised argument essay and a one-page reflection on "
            "what changed between drafts."
        ),
        "replies": [
            (5, "me", "Does the reflection count toward the page limit of the portfolio?"),
            (2, "raman", "No, the reflection is separate. Thanks for asking, Maya."),
        ],
    },
    {
        "key": "writ_grades",
        "from": "raman", "to": ["me"], "ctx": "writ",
        "when": (8, 14, 15, 30),
        "subject": "Your portfolio",
        "body": (
            "Maya, your portfolio was one of the strongest this summer. The revision of "
            "your argument essay shows real care with evidence. Good luck this fall!"
        ),
        "replies": [],
        "star": True,
    },
]

# Subjects and bodies that arrive while the demo runs with --activity (other users write).
ACTIVITY: tuple[tuple[str, str], ...] = (
    ("Quick question about Saturday", "Are we still meeting at the pond at 9? Weather says rain after noon."),
    ("Notes from today", "I took notes in history today, want me to send them? The part about Bolivar was long."),
    ("Lab equipment", "Reminder to return the DO meter to Room 108 by Monday morning."),
    ("Office hours moved", "This week's office hours move to Wednesday 1 to 3 pm, same room."),
    ("Graph looks great", "Just saw the graph in our doc. Should we add error bars?"),
    ("Library study room", "I booked study room 3 for Sunday 4 to 6 if anyone wants to work on slides."),
    ("Re: proposal", "Dr. V approved our calibration step. We're good to go!"),
    ("Reminder: short response", "Don't forget the short response on chapter 9. 500 words, cite two sources."),
    ("Carpool?", "I can drive two people to the pond on Saturday. Who needs a ride?"),
    ("Missing worksheet", "Did anyone get the worksheet from Tuesday? I can't find it on the course page."),
    ("Presentation order", "We present third on December 3. Let's do a run-through on the 1st."),
    ("Thanks!", "Thanks for covering my part of the discussion yesterday, I owe you one."),
)
