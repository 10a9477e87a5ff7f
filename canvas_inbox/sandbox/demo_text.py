"""Phrase banks the demo school draws from for its everyday mail (all our own words).

Placeholders: {course} (e.g. "BIO 101"), {topic}, {day} (a weekday), {first} (the
addressee's first name), {me} (the writer's first name), {n} (a small number).
"""

from __future__ import annotations

TOPICS: dict[str, tuple[str, ...]] = {
    "bio": (
        "cell membranes", "mitosis", "enzyme kinetics", "photosynthesis", "the Krebs cycle",
        "population growth", "food webs", "natural selection", "DNA replication", "osmosis",
    ),
    "hist": (
        "the Estates-General", "the Haitian Revolution", "the Declaration of the Rights of Man",
        "Simón Bolívar", "the Congress of Vienna", "the revolutions of 1848",
        "the Stamp Act", "Toussaint Louverture", "the Terror", "the Constitution of Cádiz",
    ),
    "writ": ("thesis statements", "counter-arguments", "citations", "paragraph transitions"),
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

# (subject, body, a student's follow-up, the sender's answer): class-wide messages from a
# teacher or TA, in term order. Some of them draw the follow-up as replies.
ANNOUNCEMENTS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "bio": (
        ("Lab safety quiz", "Reminder: the lab safety quiz is due before your first lab. It is short, but you cannot enter the lab without it.", "Can we retake it if we fail?", "Yes, as many times as you need before Thursday."),
        ("Lab 1 groups are posted", "Lab teams are posted on the course page. You will stay in the same team all term, so say hello to each other this week.", "Can we swap teams if our schedules clash?", "Only for schedule clashes: email me both names by Friday."),
        ("Reading for next week", "Please read chapter 3 on {topic} before Tuesday. The diagrams on pages 61 to 64 will come up in the quiz.", "Is the whole chapter on the quiz or just those pages?", "Mostly those pages, but read the whole chapter."),
        ("Quiz 1 results", "Quiz 1 grades are posted. The class average was 81%. If you scored under 70, come to office hours and we will go through it together.", "Will there be a chance to make up points?", "The lowest quiz score is dropped at the end of term."),
        ("Lab 3 moved to Room 108", "Lab 3 this week will be in Room 108, not the usual lab, because of the fume hood inspection.", "Is Room 108 the one next to the greenhouse?", "Yes, first door on the left after the greenhouse."),
        ("Guest lecture on Thursday", "On Thursday a researcher from the county water authority will talk about monitoring local streams. Attendance counts as a participation point.\n\nCome with one question written down.", "Will the talk be recorded?", "Yes, it will be on the course page by Friday."),
        ("Midterm grades", "Midterms are graded and returned. Look at the comments before you look at the score: they tell you what to fix for the final.\n\nRegrade requests go to me in writing within a week.", "Is the curve applied already?", "There is no curve this term; the scores are final."),
        ("Lab 5 pre-lab questions", "The pre-lab questions for Lab 5 ({topic}) are now on the course page. Bring your answers to lab; Sam will check them at the door.", "Can we type the answers or must they be handwritten?", "Either is fine, as long as it is printed or on paper."),
        ("Field study equipment", "Teams can borrow DO meters, kick nets and thermometers from Room 108. Sign them out with Sam and return them by Monday 9 am.", "How many DO meters are there?", "Six, so please book a time slot on the sheet."),
        ("Office hours before Thanksgiving", "I will hold extra office hours on Monday the 23rd from 10 to 12 for anyone working on the field study proposal.", "Can we come as a whole team?", "Please do, that is the best way."),
    ),
    "hist": (
        ("Discussion groups", "For Friday discussions you are split into four groups; the list is on the course page. Groups rotate every three weeks.", "Do we prepare anything before Friday?", "Just the reading and one question to open the discussion."),
        ("Reading: chapter 2", "Read chapter 2 on {topic} for Wednesday and write down one question the author leaves unanswered.", "Do we hand in the question?", "No, bring it to class; we will use them in groups."),
        ("Primary source workshop", "Thursday is a workshop on reading primary sources. Bring a laptop or a printed copy of packet A.", "Is a tablet fine instead of a laptop?", "A tablet is fine."),
        ("Map exercise posted", "The map exercise is posted. You may work in pairs but each of you hands in a copy. Due in two weeks.", "Can the map be drawn by hand and scanned?", "Yes, as long as it is legible."),
        ("Essay topics", "Short essay topics are up. Pick one and send me a two-sentence plan by Friday so I can help you narrow it down.", "Can we propose our own topic?", "Yes, if you clear it with me first."),
        ("Library session", "On {day} we meet in the library's archive room, ground floor, instead of our usual room. The archivist will show us eighteenth-century newspapers.", "Do we need our student cards to get in?", "Yes, the archive checks cards at the door."),
        ("Midterm format", "The midterm has three parts: identifications, a source analysis and one essay out of three choices. You may bring one page of handwritten notes.", "Can the notes page be double-sided?", "Yes, both sides of one page."),
        ("Group project check-in", "Each project group should send me a short update by {day}: who is doing what, and what you are stuck on. Two or three sentences is plenty.", "Should one person send it for the whole group?", "Yes, one message per group is enough."),
    ),
}

# (subject, question, answer): a student asks a teacher or TA, who answers.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("Question about the reading", "Hi {first}, in the reading on {topic} I don't follow the argument on the second page. Could you explain it in class or point me to something simpler?", "Good question. I'll go over it at the start of {day}'s class; in the meantime, the summary at the end of the chapter puts it more plainly."),
    ("Missed class on {day}", "Hello {first}, I missed class on {day} because of a dentist appointment. Is there anything I should catch up on besides the slides?", "Just the slides and the short worksheet, which is on the course page. Thanks for letting me know."),
    ("Quiz regrade", "Hi {first}, on question {n} of the quiz I think my answer matches the key but it was marked wrong. Could you take another look?", "You're right, that was my mistake. I've fixed your score."),
    ("Late submission", "Hi {first}, I submitted the assignment about an hour late because the upload kept failing. Is that okay?", "That's fine this time. If uploads fail again, email me the file before the deadline so there's a timestamp."),
    ("Office hours", "Hi {first}, are office hours still on {day}? I'd like to ask about {topic}.", "Yes, same time and place. Bring your notes and we'll work through it."),
    ("Extension?", "Dear {first}, I have two exams on the same day as the deadline. Could I have one extra day?", "Yes, one extra day is fine. Please note it in the comment box when you submit."),
    ("Group partner", "Hi {first}, my partner for the project dropped the course. Should I work alone or join another group?", "Join another group. I'll introduce you to one by email this week."),
    ("Source question", "Hello {first}, can I use a documentary as a source for the essay, or only written sources?", "A documentary is fine as one source, but at least two of your sources should be written, and one of them primary."),
    ("Grade question", "Hi {first}, my grade for the last assignment shows as missing but I handed it in on paper.", "Found it in my bag, sorry about that! It's graded now."),
    ("Study tips for {topic}", "Hi {first}, I'm struggling with {topic}. Do you have any advice on how to study it?", "Try explaining it out loud to someone who isn't in the course. Where you get stuck is what to review. The practice problems at the end of the chapter help too."),
)

# (subject, opener, replies): classmates writing to each other.
CHATTER: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("notes from {day}?", "hey {first}, could you send me your notes from {day}? I missed the part about {topic}", ("sure, sending a photo tonight", "thank you!!")),
    ("study group", "A few of us are studying for {course} on Sunday at the library. Want to join?", ("Yes! What time?", "2pm, second floor by the windows.")),
    ("did you get question {n}?", "I've been stuck on question {n} of the homework for an hour. Did you get it?", ("Yeah, you have to convert the units first. It's not obvious.", "oh that's it. thanks")),
    ("lab partner", "Hi {first}, want to be partners for the next lab? My usual partner is away.", ("Sure, see you there.",)),
    ("textbook", "Do you still have the textbook for {course}? Mine hasn't arrived and the reading is due Thursday.", ("I do, you can borrow it after class tomorrow.", "lifesaver, thanks")),
    ("presentation practice", "Want to practice our presentations together before {day}? I'm nervous about mine.", ("Definitely. How about the empty classroom after lunch?", "Perfect.")),
    ("reading on {topic}", "Is it just me or was the reading on {topic} really long? I'm only halfway through.", ("Not just you. Skim the middle, the end is what matters.",)),
    ("quiz tomorrow?", "Is the {course} quiz tomorrow or next week? I've heard both.", ("Tomorrow, I checked the calendar.", "ugh ok, thanks")),
    ("coffee after class?", "Coffee after class on {day}? I want to talk about the project.", ("Sounds good!",)),
    ("shared doc", "I started a shared doc for our {course} notes; I'll add you. Put anything you have in there.", ("Added mine from this week.",)),
    ("sorry about today", "Sorry I had to leave early on {day}, my bus was about to go. Did I miss anything important?", ("Just the homework: read the section on {topic} and answer the three questions at the end.", "ok, thank you!")),
    ("calculator?", "Can I borrow your calculator for the quiz? Mine died and the store is closed.", ("Sure, I have a spare one. Remind me before class.",)),
    ("{topic} video", "Found a really clear video on {topic} if you're stuck too. Search for the one with the animated diagrams, it's about ten minutes.", ("Thanks, watching it now. It helped a lot!",)),
    ("practice questions", "Want to swap practice questions for {course}? I'll write five, you write five, and we answer each other's.", ("Deal. Mine are going to be hard ;)", "bring it")),
    ("exam room", "Do you know which room the {course} exam is in? The page says Hall B but someone said it moved.", ("It moved to the big lecture hall, there was a note on the door.",)),
    ("running late", "Running ten minutes late to our meeting, start without me!", ("No worries, we're at the usual table.",)),
    ("that article", "Remember the article from {day}'s class? Do you still have the link? I want to cite it.", ("I only have the printout, but the title is in my notes. I'll send it tonight.", "perfect, thanks")),
    ("weekend plans for the project", "Should we work on the {course} project this weekend? I'm free Saturday afternoon and all of Sunday.\n\nIf we finish the draft early we can ask for feedback on Monday.", ("Sunday works better for me, after 1.", "Sunday at 2 then. Library or online?", "Library, the group rooms are quieter.")),
)

# How students address each member of staff (first names for TAs, as they ask).
ADDRESS = {
    "vasquez": "Dr. Vasquez", "bell": "Mr. Bell", "raman": "Ms. Raman",
    "whitfield": "Sam", "haddad": "Noor",
}
