"""Answers people can trust: whole lists, synonyms, out-of-scope topics, generic words, someone else's role,
the question's form, and the real questions people wrote."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import build_engine
from bot.core.answer import Outcome
from bot.core.engine import Engine
from bot.core.thresholds import Thresholds
from bot.tools.evaluate import default_questions_path, evaluate, load_cases, real_questions_path

SYNONYMS_KNOWLEDGE = """\
synonyms:
- [qualités, compétences, skills]
- [responsable, in charge, owns]
out_of_scope:
- id: salary
  topic: {fr: les salaires des jardiniers, en: gardeners' pay}
  questions:
    fr: [Combien gagne un jardinier ?]
    en: [How much does a gardener earn?]
  keywords: [salaire, salary, earn, paid]
sections:
- id: garden
  heading: Le jardin
  topic: {fr: le jardin, en: the garden}
  passages:
  - id: garden-skills
    text: Le jardinier doit avoir des compétences en botanique et en taille des arbres.
    translation: The gardener needs botany and tree pruning know-how.
    questions:
      fr: [Que doit savoir un jardinier ?]
      en: [What must a gardener know?]
  - id: garden-water
    text: Le jardinier est responsable de l’arrosage des massifs, matin et soir.
    translation: The gardener waters the flower beds, morning and evening.
    questions:
      fr: [Qui arrose les massifs ?]
      en: [Who waters the flower beds?]
"""


def test_a_synonym_finds_the_passage_that_uses_another_word_of_its_group(write_knowledge):
    engine = build_engine([write_knowledge(SYNONYMS_KNOWLEDGE)])
    assert engine.ask("Quelles qualités pour un jardinier ?").passage_id == "garden-skills"
    assert engine.ask("What skills does a gardener need?").passage_id == "garden-skills"
    assert engine.ask("Who is in charge of watering?").passage_id == "garden-water"


def test_a_word_counts_less_where_only_another_word_of_its_group_is_found(write_knowledge):
    index = build_engine([write_knowledge(SYNONYMS_KNOWLEDGE)]).matchers[0].index
    skills = [i for i, p in enumerate(index.passages) if p.id == "garden-skills"]
    direct = index.lookup("competences").strengths(set(skills))  # the passage says "compétences"
    through_group = index.lookup("qualites").strengths(set(skills))  # it never says "qualités"
    assert 0 < through_group[skills[0]] < direct[skills[0]]


def test_without_the_synonyms_the_other_word_finds_nothing(write_knowledge):
    text = SYNONYMS_KNOWLEDGE.replace("- [qualités, compétences, skills]\n", "")
    engine = build_engine([write_knowledge(text)])
    assert engine.ask("Quelles qualités pour un jardinier ?").passage_id != "garden-skills"


def test_an_out_of_scope_topic_gets_a_precise_decline_with_the_topics_covered(write_knowledge):
    engine = build_engine([write_knowledge(SYNONYMS_KNOWLEDGE)])
    answer = engine.ask("Quel est le salaire d'un jardinier ?")
    assert answer.outcome is Outcome.DECLINE and answer.out_of_scope == "salary"
    assert "les salaires des jardiniers" in answer.text and "le jardin" in answer.text
    assert answer.to_json()["out_of_scope"] == "salary" and answer.to_json()["matched"] is False


def test_the_shipped_knowledge_declines_pay_equity_and_reporting_line_precisely(engine):
    for question, topic in [("How much does a CTO earn?", "salary"), ("Do CTOs get stock options?", "equity"),
                            ("Who does the CTO report to?", "reporting-line"),
                            ("Quelle est la différence entre un CTO et un DSI ?", "cto-vs-others")]:
        answer = engine.ask(question)
        assert (answer.outcome, answer.out_of_scope) == (Outcome.DECLINE, topic), question


def test_synonym_and_topic_mistakes_are_reported_with_file_and_line(cli, write_knowledge):
    broken = SYNONYMS_KNOWLEDGE.replace("- [responsable, in charge, owns]", "- [seul]").replace(
        "  topic: {fr: les salaires des jardiniers, en: gardeners' pay}\n", "")
    path = write_knowledge(broken)
    run = cli("check", "--knowledge", str(path))
    assert run.status == 1
    assert f"{path}:3: a synonym group needs at least two words" in run.out
    assert f"{path}:5: out-of-scope topic 'salary' needs a 'topic'" in run.out


def test_main_or_principal_qualifies_what_is_asked_and_does_not_choose_the_passage(engine):
    # « principales » is in the missions' alternate questions: it must not carry "main skills" there
    assert engine.ask("Quelles sont les principales compétences d'un CTO ?").passage_id == "skills-overview"
    assert engine.ask("Quelles sont les principales missions du CTO ?").passage_id == "missions-overview"
    assert engine.ask("What are the main skills of a CTO?").passage_id == "skills-overview"


def test_the_question_form_decides_when_the_only_word_is_the_subject(engine):
    assert engine.ask("What does a CTO do?").passage_id == "role-overview"
    assert engine.ask("What makes a good CTO?").passage_id == "skills-overview"
    assert engine.ask("Qu'est-ce qu'un bon CTO ?").passage_id == "skills-overview"
    assert engine.ask("What is a CTO?").passage_id == "intro-overview"


def test_a_question_about_someone_elses_role_is_declined(engine):
    for question in ("What does a CFO do?", "Que fait exactement un DSI ?", "What is the main job of the COO?",
                     "Quelles sont les missions du directeur marketing ?",
                     "What are a product manager's roles and responsibilities?"):
        assert not engine.ask(question).matched, question
    assert engine.ask("Does the CTO work with the marketing director?").passage_id == "relations-executives"
    assert engine.ask("What are the CTO's responsibilities?").passage_id == "missions-overview"


def test_a_question_about_another_job_the_documents_never_mention_is_declined(engine):
    for question in ("What skills does a nurse need?", "Quelles compétences pour être infirmier ?",
                     "What are the career paths for a pilot?", "Can a doctor become a CEO?"):
        assert not engine.ask(question).matched, question
    assert engine.ask("Can a CTO become a teacher?").passage_id == "careers-paths"


WATERING_KNOWLEDGE = """\
sections:
- id: water
  heading: L'arrosage
  topic: {fr: l'arrosage, en: watering}
  passages:
  - id: water-beds
    text: Le jardinier arrose les massifs de fleurs chaque matin, avant la chaleur.
    questions: {fr: [Quand arroser les massifs ?]}
  - id: water-vegetables
    text: Le potager est arrosé le soir, au pied des plantes, pour économiser l’eau.
    questions: {fr: [Quand arroser le potager ?]}
- id: tools
  heading: Les outils
  topic: {fr: les outils, en: tools}
  passages:
  - id: tools-pruning
    text: Le sécateur sert à tailler les rosiers et les arbustes en hiver.
    questions: {fr: [Avec quoi tailler les rosiers ?]}
  - id: tools-mowing
    text: La tondeuse coupe la pelouse toutes les deux semaines au printemps.
    questions: {fr: [Quand tondre la pelouse ?]}
"""


def test_close_passages_of_one_section_answer_when_every_other_section_is_far_behind(write_knowledge):
    knowledge = build_engine([write_knowledge(WATERING_KNOWLEDGE)]).knowledge
    strict = Engine(knowledge, Thresholds(answer=99, sure=99))  # only a clear lead can answer
    answer = strict.ask("Quand faut-il arroser ?")
    assert answer.outcome is Outcome.ANSWER and answer.passage_id in ("water-beds", "water-vegetables")
    assert [c.passage_id for c in answer.candidates[:2]] == ["water-beds", "water-vegetables"]  # close, one section


def test_words_out_of_scope_topics_share_do_not_make_a_question_too_generic_to_answer(engine):
    # "développeur" and "devenir" are in few passages, though out-of-scope topics use them too
    for question in ("Je suis développeur, puis-je devenir CTO ?", "As a developer, can I become a CTO one day?"):
        assert engine.ask(question).passage_id in ("become-overview", "become-experience"), question


def test_a_job_only_an_out_of_scope_topic_names_is_still_another_job(engine):
    # "salarié" shares its stem with "salaries" of the pay topic, which names what the documents lack
    assert not engine.ask("Peut-on devenir consultant après une carrière de salarié ?").matched
    assert engine.ask("Un CTO peut-il devenir consultant ?").passage_id == "careers-paths"


def test_a_question_about_the_askers_own_affairs_is_never_answered_with_confidence(engine):
    for question in ("How do you decide on what your budget is?", "Comment gérer mon budget ?",
                     "What should I do with my career?", "Quel budget pour des vacances ?",
                     "What budget for a wedding?"):
        assert engine.ask(question).outcome is not Outcome.ANSWER, question
    assert engine.ask("How does a CTO manage the budget?").passage_id == "missions-budget"
    assert engine.ask("Comment le CTO gère-t-il son budget ?").passage_id == "missions-budget"
    assert engine.ask("Who is in charge of defending the company against hackers?").matched  # who: the subject


def test_a_name_the_documents_never_mention_makes_a_question_theirs_no_longer(engine):
    for question in ("How does the CTO of Airbus manage the budget?", "Le CTO de Renault gère-t-il le budget ?"):
        assert engine.ask(question).outcome is not Outcome.ANSWER, question
    assert engine.ask("How does the CTO manage the budget?").passage_id == "missions-budget"
    assert engine.ask("How Does The CTO Manage The Budget?").passage_id == "missions-budget"  # title case


def test_what_a_concept_means_is_not_answered_by_a_passage_that_only_mentions_it(engine):
    for question in ("What is innovation?", "Qu'est-ce que la cybersécurité ?"):
        assert engine.ask(question).outcome is not Outcome.ANSWER, question
    assert engine.ask("What is a CTO?").passage_id == "intro-overview"
    assert engine.ask("C'est quoi un directeur technique ?").passage_id == "intro-overview"
    assert engine.ask("What are the most important skills for a CTO?").passage_id == "skills-overview"  # its X


def test_the_path_to_or_the_skills_of_another_job_are_declined(engine):
    for question in ("What skills does a product manager need?", "Comment devenir développeur web ?",
                     "Quelles compétences pour être DSI ?", "What skills do I need to be a good chef?"):
        assert not engine.ask(question).matched, question
    assert not engine.ask("Quelle évolution de carrière pour un ingénieur ?").matched
    assert engine.ask("Can a CTO become CEO?").passage_id == "careers-paths"  # the documents' own subject's path
    assert engine.ask("What skills does a technical director need?").passage_id == "skills-overview"
    assert engine.ask("What skills do I need to be a good CTO?").passage_id == "skills-overview"


def test_a_question_about_the_readers_own_past_or_wishes_is_never_answered_with_confidence(engine):
    for question in ("How did you become a CTO?", "Pourquoi voulez-vous devenir CTO ?",
                     "How was your first year as a CTO?", "Comment se sont passés tes débuts de CTO ?"):
        assert engine.ask(question).outcome is not Outcome.ANSWER, question
    assert engine.ask("How do you become a CTO?").passage_id == "become-overview"  # "you" as anyone
    assert engine.ask("Would you explain the missions of a CTO?").passage_id == "missions-overview"  # a request


def test_a_word_in_another_sense_does_not_answer(engine):
    for question in ("quel temps fait-il ?", "what time is it?", "Quelle heure est-il ?", "options", "How come?"):
        assert not engine.ask(question).matched, question


def test_invisible_characters_inside_a_word_change_nothing(engine):
    assert engine.ask("C\u200bTO bud\u00adget").passage_id == engine.ask("CTO budget").passage_id is not None


UNKNOWN = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=5, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(UNKNOWN, min_size=1, max_size=6).map(" ".join),
       st.sampled_from(["{}", "What is {}?", "Qu'est-ce que {} ?", "How do I {}?"]))
def test_a_question_of_words_the_knowledge_lacks_is_never_answered(engine, words, form):
    assert not engine.ask(form.format(words)).matched


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["cto", "CTO", "ctos", "technologie", "technology", "entreprise", "company",
                        "directeur technique", "chief technology officer"]),
       st.sampled_from(["{}", "{} ?", "{}!", "  {}  "]))
def test_one_generic_word_alone_is_never_answered(engine, word, form):
    assert not engine.ask(form.format(word)).matched


def test_the_projects_own_questions_stay_above_their_floor_with_no_wrong_answer(engine):
    result = evaluate(engine, *load_cases(default_questions_path()))
    assert result.accuracy >= 0.96, result.failures  # 97.9% (93/95): two near-ties are suggested
    assert not [f for f in result.failures if "should not answer" in f[2] or "wrong section" in f[2]]


def test_the_real_questions_stay_above_their_regression_floor(engine):
    result = evaluate(engine, *load_cases(real_questions_path()))
    assert result.accuracy >= 0.89, result.failures  # 90.1% with the four held-out batches (405 questions)
    wrong_answers = [f for f in result.failures if "should not answer" in f[2]]
    assert len(wrong_answers) <= 5, wrong_answers  # 5, all about the CTO (see the closing notes)


def test_debug_shows_the_synonyms_and_typos_a_question_was_read_with(write_knowledge, cli):
    engine = build_engine([write_knowledge(SYNONYMS_KNOWLEDGE)])
    readings = engine.ask("Quelles qualités pour un jardinnier ?").readings
    assert "jardinnier → jardinier" in readings
    assert "qualites ≈ qualités, compétences, skills" in readings
    run = cli("repl", "--debug", "--no-history", "--knowledge", str(write_knowledge(SYNONYMS_KNOWLEDGE)),
              stdin="Who is in charge of watering?\n")
    assert "« responsable / in charge / owns » (synonym phrase)" in run.out


ENGLISH_GUIDE = """\
lang: en
sections:
- id: kettle
  heading: Descaling the kettle
  passages:
  - id: kettle-vinegar
    text: Fill the kettle with equal parts of white vinegar and water, boil it, and leave it to soak for an hour.
    questions:
      fr: [Comment détartrer une bouilloire ?]
  - id: kettle-rinse
    text: Rinse the kettle three times with clean water before making tea again.
"""


def test_a_question_in_the_other_language_is_answered_in_the_original_with_one_line_saying_so(write_knowledge):
    engine = build_engine([write_knowledge(ENGLISH_GUIDE)])
    answer = engine.ask("Comment détartrer ma bouilloire ?")
    assert answer.passage_id == "kettle-vinegar" and answer.lang == "fr"
    note, text = answer.text.split("\n", 1)
    assert note == "(Ce passage n’existe qu’en anglais.)" and text.startswith("Fill the kettle")


def test_the_bot_introduces_itself_from_the_knowledge_not_from_the_code(engine, write_knowledge):
    assert "métier de CTO" in engine.help("fr").text and "CTO" in engine.ask("hello").text
    other = build_engine([write_knowledge(ENGLISH_GUIDE)])
    for reply in (other.ask("hello"), other.ask("bonjour"), other.help("en"), other.ask("merci")):
        assert "CTO" not in reply.text and "Descaling the kettle" in reply.text + " ".join(reply.topics)


HEADINGS_KNOWLEDGE = """\
lang: fr
sections:
- id: metier
  heading: Le métier de jardinier
  passages:
  - id: metier-1
    text: Le jardinier entretient les parcs, les jardins et les espaces verts d'une ville.
  - id: metier-2
    text: Il travaille dehors par tous les temps, souvent en équipe.
- id: salaire
  heading: Salaire
  passages:
  - id: salaire-1
    text: En France, un jardinier débutant gagne environ 1 800 euros brut par mois.
- id: devenir
  heading: Comment devenir jardinier ?
  passages:
  - id: devenir-1
    text: Un CAP agricole ou un bac professionnel en aménagements paysagers ouvre les portes du métier.
"""


def test_a_passage_with_no_alternate_questions_reads_like_its_sections_heading(write_knowledge):
    engine = build_engine([write_knowledge(HEADINGS_KNOWLEDGE)])
    assert engine.ask("Comment on devient jardinier ?").passage_id == "devenir-1"
    assert engine.ask("Quel est le salaire d'un jardinier ?").passage_id == "salaire-1"


PLANTS_KNOWLEDGE = """\
lang: fr
sections:
- id: soins
  heading: Soigner ses plantes
  passages:
  - id: soins-arrosage
    text: Arrosez la plante quand la terre est sèche ; le ficus aime un arrosage par semaine.
  - id: soins-lumiere
    text: Placez la plante près d'une fenêtre, sans soleil direct.
  - id: soins-rempotage
    text: Rempotez la plante au printemps, dans un pot un peu plus grand.
  - id: soins-engrais
    text: Donnez de l'engrais à la plante toutes les deux semaines en été.
"""


def test_a_possessive_is_the_askers_own_affair_only_when_the_documents_are_about_a_job(write_knowledge):
    engine = build_engine([write_knowledge(PLANTS_KNOWLEDGE)])
    assert engine.ask("Quand arroser mon ficus ?").passage_id == "soins-arrosage"


def test_a_startup_is_a_company_for_the_role_and_hiring_stays_out_of_scope(engine):
    assert engine.ask("What does a CTO do in a startup?").passage_id == "role-overview"
    assert engine.ask("Quel est le rôle du CTO dans une start-up ?").passage_id == "role-overview"
    assert engine.ask("Does my startup need a CTO?").out_of_scope == "hiring"


def test_what_another_job_or_thing_is_like_is_not_answered_from_the_subjects_passages(engine):
    for question in ("What's the Chief Financial Officer (CFO) about?", "What makes a team great?",
                     "Who is the IT infrastructure manager?", "Qu'est-ce qui fait un bon manager ?"):
        assert not engine.ask(question).matched, question
    assert engine.ask("What makes a CTO successful?").passage_id == "skills-overview"
    assert engine.ask("Qu'est-ce qui fait un bon directeur technique ?").passage_id == "skills-overview"
    assert engine.ask("Who is the CTO?").passage_id == "intro-overview"


def test_how_or_why_to_do_something_without_the_subject_is_the_askers_own_affair(engine, write_knowledge):
    for question in ("Pourquoi faire un budget ?", "Comment gérer les dépenses imprévues ?", "How to manage a budget?"):
        assert engine.ask(question).outcome is not Outcome.ANSWER, question
    assert engine.ask("Who manages the budget?").passage_id == "missions-budget"
    assert engine.ask("Comment le CTO gère-t-il le budget ?").passage_id == "missions-budget"
    plants = build_engine([write_knowledge(PLANTS_KNOWLEDGE)])  # in a how-to, how to is the subject
    assert plants.ask("Comment arroser un ficus ?").passage_id == "soins-arrosage"


def test_the_subject_spelled_out_reads_like_its_short_form(engine):
    for question in ("What is a CTO supposed to do?", "What is a Chief Technology Officer supposed to do?"):
        assert engine.ask(question).passage_id == "role-overview", question


HOLIDAYS_KNOWLEDGE = """\
lang: en
sections:
- id: holidays
  heading: Holidays and time off
  passages:
  - id: holidays-1
    text: Every employee gets 25 days of paid holiday a year, plus public holidays.
- id: expenses
  heading: Expenses
  passages:
  - id: expenses-1
    text: Train tickets and hotel nights are paid back within a month.
"""


def test_days_off_is_a_question_not_small_talk(write_knowledge):
    engine = build_engine([write_knowledge(HOLIDAYS_KNOWLEDGE)])
    assert engine.ask("how many days off do i get?").passage_id == "holidays-1"


def test_a_question_naming_other_jobs_and_not_the_subject_is_about_those_jobs(engine):
    for question in ("How do the CFO and the CIO work together?", "Why should developers keep learning?",
                     "Quel est le lien entre le DAF et le DSI ?"):
        assert engine.ask(question).outcome is not Outcome.ANSWER, question
    assert engine.ask("Does the CTO work with the CFO?").passage_id == "relations-executives"
    assert engine.ask("Can a developer become a CTO?").matched
    # « directeur » alone is another director's; « directeur technique », even misspelt, is the subject
    assert engine.ask("Faut-il créer un poste de directeur de la transformation ?").outcome is not Outcome.ANSWER
    assert engine.ask("quel est le role du directeur technik").passage_id == "role-overview"


def test_an_acronym_in_brackets_names_the_job_before_it(engine):
    assert not engine.ask("What is a chief transformation officer (CTO)?").matched
    assert engine.ask("What does a CTO (Chief Technology Officer) do?").passage_id == "role-overview"


def test_this_role_in_documents_about_a_job_is_that_job(engine):
    assert engine.ask("Quelles sont les missions de ce poste ?").passage_id == "missions-overview"
    assert engine.ask("What are the duties of this position?").passage_id == "missions-overview"


TYRES_KNOWLEDGE = """\
lang: fr
sections:
- id: pneus
  heading: Gonfler ses pneus
  passages:
  - id: pneus-1
    text: Vérifiez la pression des pneus chaque mois avec une pompe à manomètre.
- id: crevaison
  heading: Réparer une crevaison
  passages:
  - id: crevaison-1
    text: Démontez le pneu avec des démonte-pneus, puis sortez la chambre à air.{questions}
- id: freins
  heading: Régler ses freins
  passages:
  - id: freins-1
    text: Serrez le câble de frein quand le levier touche le guidon.
"""


def test_a_middling_lead_answers_only_for_a_passage_the_maintainers_wrote_questions_for(write_knowledge):
    lone = Thresholds(answer=99, unasked_answer=99, sure=99)  # only the lone-lead rule can answer
    question = "quelle marque de démonte-pneus acheter"
    imported = build_engine([write_knowledge(TYRES_KNOWLEDGE.format(questions=""))]).knowledge
    assert Engine(imported, lone).ask(question).outcome is not Outcome.ANSWER
    asked = TYRES_KNOWLEDGE.format(questions="\n    questions: {fr: [Comment démonter un pneu ?]}")
    edited = build_engine([write_knowledge(asked)]).knowledge
    assert Engine(edited, lone).ask(question).passage_id == "crevaison-1"


GROWING_KNOWLEDGE = """\
lang: en
sections:
- id: light
  heading: Light
  passages:
  - {id: light-1, text: "Most houseplants grow towards the light: turn the pot every week."}
- id: water
  heading: Watering
  passages:
  - {id: water-1, text: "Water when the top of the soil is dry to the touch."}
"""


def test_a_long_question_whose_one_word_only_a_passages_text_holds_is_about_something_else(write_knowledge):
    engine = build_engine([write_knowledge(GROWING_KNOWLEDGE)])
    assert engine.ask("How do they grow?").passage_id == "light-1"
    assert not engine.ask("What do I want to be when I grow up?").matched


@pytest.mark.parametrize("question, text, answered", [
    ("Combien coûte une pompe à manomètre ?", "Vérifiez la pression des pneus avec une pompe à manomètre.", False),
    ("Combien coûte une pompe à manomètre ?", "Une pompe à manomètre coûte entre 20 et 40 euros.", True),
    ("Quelle est la meilleure pompe à manomètre pour la pression des pneus ?",
     "Une pompe à manomètre sert à vérifier la pression des pneus.", False),
    ("Quelle est la meilleure pompe à manomètre pour la pression des pneus ?",
     "Une pompe à manomètre vaut mieux qu'une pompe simple pour la pression des pneus.", True),
])
def test_a_question_asking_for_a_figure_or_the_best_is_answered_only_by_a_passage_that_states_it(
        write_knowledge, question, text, answered):
    engine = build_engine([write_knowledge(TYRES_KNOWLEDGE.format(questions="").replace(
        "Vérifiez la pression des pneus chaque mois avec une pompe à manomètre.", text))])
    assert (engine.ask(question).outcome is Outcome.ANSWER) is answered


LIGHT_KNOWLEDGE = """\
lang: en
sections:
- id: light
  heading: Managing light
  passages:
  - {id: light-1, text: "Managing light well after a night shift helps you sleep: wear sunglasses on the way home."}
- id: naps
  heading: Naps
  passages:
  - {id: naps-1, text: "A nap of twenty minutes before a night shift keeps you alert."}
"""


def test_a_job_a_guide_never_names_is_not_read_into_a_word_of_the_same_stem(write_knowledge):
    engine = build_engine([write_knowledge(LIGHT_KNOWLEDGE)])
    assert not engine.ask("What does a manager do?").matched  # "Managing light" is not about managers
    assert engine.ask("How should I manage light after a night shift?").passage_id == "light-1"


def test_a_follow_up_in_a_conversation_about_the_subject_is_not_the_askers_own_affair(engine):
    assert engine.ask("and how do I become one?").outcome is not Outcome.ANSWER  # alone: one what?
    assert engine.ask("and how do I become one?", focus=("role-overview",)).passage_id == "become-overview"


def test_whether_something_matters_is_asked_about_that_thing(engine):
    assert engine.ask("Is communication important for a CTO?").passage_id == "skills-overview"
    assert engine.ask("La formation continue est-elle importante pour un CTO ?").passage_id == \
        "become-lifelong-learning"
    assert engine.ask("Pourquoi le CTO est-il important ?").passage_id == "intro-overview"  # why it matters


def test_ending_up_as_something_is_becoming_it(engine):
    assert engine.ask("Can a CTO end up as a consultant?").passage_id == "careers-paths"
    assert engine.ask("Can a developer end up as CTO?").passage_id == "become-experience"
