"""Frozen parses and a hand-built annotated episode for the claim tests (no spaCy model needed).

Each entry of `PARSES` is one sentence as the pinned en_core_web_sm 3.8.0 parsed
it, token by token: `text/tag/pos/dep/head/lemma/entity` (head is the index in
the sentence, `~` after the text marks a token with no space after it, entity
is `B-LABEL`, `I-LABEL` or `-`). Freezing the parses keeps the rule tests
independent of the parser while staying realistic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import spacy
from spacy.tokens import Doc

from extractors.claim_detector import N_HASH, PARSE_FEATURES, ClaimDetector
from whoclaims.records import AnnotatedEpisode, Episode, Segment, Sentence, Turn

PARSES: dict[str, str] = {
    'We recall Governor Hale, who said: “The talks will fail.”': "We/PRP/PRON/nsubj/1/we/- recall/VBP/VERB/ROOT/1/recall/- Governor/NNP/PROPN/compound/3/Governor/- Hale~/NNP/PROPN/dobj/1/Hale/B-PERSON ,/,/PUNCT/punct/3/,/- who/WP/PRON/nsubj/6/who/- said~/VBD/VERB/relcl/3/say/- :/:/PUNCT/punct/6/:/- “~/``/PUNCT/punct/6/\"/- The/DT/DET/det/10/the/- talks/NNS/NOUN/nsubj/12/talk/- will/MD/AUX/aux/12/will/- fail~/VB/VERB/ccomp/6/fail/- .~/./PUNCT/punct/1/./- ”~/''/PUNCT/punct/1/\"/-",
    'Then there is Governor Hale, who says that the talks will fail.': "Then/RB/ADV/advmod/2/then/- there/EX/PRON/expl/2/there/- is/VBZ/VERB/ROOT/2/be/- Governor/NNP/PROPN/compound/4/Governor/- Hale~/NNP/PROPN/attr/2/Hale/B-PERSON ,/,/PUNCT/punct/4/,/- who/WP/PRON/nsubj/7/who/- says/VBZ/VERB/relcl/4/say/- that/IN/SCONJ/mark/12/that/- the/DT/DET/det/10/the/- talks/NNS/NOUN/nsubj/12/talk/- will/MD/AUX/aux/12/will/- fail~/VB/VERB/ccomp/7/fail/- .~/./PUNCT/punct/2/./-",
    'Many analysts who say that the talks will fail are wrong.': "Many/JJ/ADJ/amod/1/many/- analysts/NNS/NOUN/nsubj/9/analyst/- who/WP/PRON/nsubj/3/who/- say/VBP/VERB/relcl/1/say/- that/IN/SCONJ/mark/8/that/- the/DT/DET/det/6/the/- talks/NNS/NOUN/nsubj/8/talk/- will/MD/AUX/aux/8/will/- fail/VB/VERB/ccomp/3/fail/- are/VBP/AUX/ROOT/9/be/- wrong~/JJ/ADJ/acomp/9/wrong/- .~/./PUNCT/punct/9/./-",
    'We met Governor Hale, who believes that the winter will be hard, and Senator Moss, who believes that it will be mild.': "We/PRP/PRON/nsubj/1/we/- met/VBD/VERB/ROOT/1/meet/- Governor/NNP/PROPN/compound/3/Governor/- Hale~/NNP/PROPN/dobj/1/Hale/B-PERSON ,/,/PUNCT/punct/3/,/- who/WP/PRON/nsubj/6/who/- believes/VBZ/VERB/relcl/3/believe/- that/IN/SCONJ/mark/11/that/- the/DT/DET/det/9/the/B-DATE winter/NN/NOUN/nsubj/11/winter/I-DATE will/MD/AUX/aux/11/will/- be/VB/AUX/ccomp/6/be/- hard~/JJ/ADJ/acomp/11/hard/- ,/,/PUNCT/punct/3/,/- and/CC/CCONJ/cc/3/and/- Senator/NNP/PROPN/compound/16/Senator/- Moss~/NNP/PROPN/conj/3/Moss/B-PERSON ,/,/PUNCT/punct/16/,/- who/WP/PRON/nsubj/19/who/- believes/VBZ/VERB/relcl/16/believe/- that/IN/SCONJ/mark/23/that/- it/PRP/PRON/nsubj/23/it/- will/MD/AUX/aux/23/will/- be/VB/AUX/ccomp/19/be/- mild~/JJ/ADJ/acomp/23/mild/- .~/./PUNCT/punct/1/./-",
    'Your book argues that the Kremlin never abandoned its goals.': "Your/PRP$/PRON/poss/1/your/- book/NN/NOUN/nsubj/2/book/- argues/VBZ/VERB/ROOT/2/argue/- that/IN/SCONJ/mark/7/that/- the/DT/DET/det/5/the/- Kremlin/NNP/PROPN/nsubj/7/Kremlin/B-ORG never/RB/ADV/neg/7/never/- abandoned/VBD/VERB/ccomp/2/abandon/- its/PRP$/PRON/poss/9/its/- goals~/NNS/NOUN/dobj/7/goal/- .~/./PUNCT/punct/2/./-",
    'You warn that Europe is running out of time.': "You/PRP/PRON/nsubj/1/you/- warn/VBP/VERB/ROOT/1/warn/- that/IN/SCONJ/mark/5/that/- Europe/NNP/PROPN/nsubj/5/Europe/B-LOC is/VBZ/AUX/aux/5/be/- running/VBG/VERB/ccomp/1/run/- out/IN/ADP/prep/5/out/- of/IN/ADP/prep/6/of/- time~/NN/NOUN/pobj/7/time/- .~/./PUNCT/punct/1/./-",
    'Welcome to the show.': "Welcome/VBP/VERB/ROOT/0/welcome/- to/IN/ADP/prep/0/to/- the/DT/DET/det/3/the/- show~/NN/NOUN/pobj/1/show/- .~/./PUNCT/punct/0/./-",
    'What do you make of the latest offensive?': "What/WP/PRON/dobj/3/what/- do/VBP/AUX/aux/3/do/- you/PRP/PRON/nsubj/3/you/- make/VB/VERB/ROOT/3/make/- of/IN/ADP/prep/3/of/- the/DT/DET/det/7/the/- latest/JJS/ADJ/amod/7/late/- offensive~/NN/NOUN/pobj/4/offensive/- ?~/./PUNCT/punct/3/?/-",
    'Thanks so much for having me.': "Thanks/NNS/NOUN/ROOT/0/thank/- so/RB/ADV/advmod/2/so/- much/RB/ADV/advmod/0/much/- for/IN/ADP/prep/0/for/- having/VBG/VERB/pcomp/3/have/- me~/PRP/PRON/dobj/4/I/- .~/./PUNCT/punct/0/./-",
    'I think that the offensive has stalled.': "I/PRP/PRON/nsubj/1/I/- think/VBP/VERB/ROOT/1/think/- that/IN/SCONJ/mark/6/that/- the/DT/DET/det/4/the/- offensive/NN/NOUN/nsubj/6/offensive/- has/VBZ/AUX/aux/6/have/- stalled~/VBN/VERB/ccomp/1/stall/- .~/./PUNCT/punct/1/./-",
    'I suspect it is obvious that Putin believes that the West will tire.': "I/PRP/PRON/nsubj/1/I/- suspect/VBP/VERB/ROOT/1/suspect/- it/PRP/PRON/nsubj/3/it/- is/VBZ/AUX/ccomp/1/be/- obvious/JJ/ADJ/acomp/3/obvious/- that/IN/SCONJ/mark/7/that/- Putin/NNP/PROPN/nsubj/7/Putin/B-PERSON believes/VBZ/VERB/ccomp/3/believe/- that/IN/SCONJ/mark/12/that/- the/DT/DET/det/10/the/- West/NNP/PROPN/nsubj/12/West/B-LOC will/MD/AUX/aux/12/will/- tire~/VB/VERB/ccomp/7/tire/- .~/./PUNCT/punct/1/./-",
    'The Kremlin said that the talks would resume.': "The/DT/DET/det/1/the/- Kremlin/NNP/PROPN/nsubj/2/Kremlin/B-ORG said/VBD/VERB/ROOT/2/say/- that/IN/SCONJ/mark/7/that/- the/DT/DET/det/5/the/- talks/NNS/NOUN/nsubj/7/talk/- would/MD/AUX/aux/7/would/- resume~/VB/VERB/ccomp/2/resume/- .~/./PUNCT/punct/2/./-",
    'Macron has argued for months that Europe must rearm.': "Macron/NNP/PROPN/nsubj/2/Macron/B-ORG has/VBZ/AUX/aux/2/have/- argued/VBN/VERB/ROOT/2/argue/- for/IN/ADP/prep/2/for/- months/NNS/NOUN/pobj/3/month/B-DATE that/IN/SCONJ/dobj/8/that/- Europe/NNP/PROPN/nsubj/8/Europe/B-LOC must/MD/AUX/aux/8/must/- rearm~/VB/VERB/relcl/4/rearm/- .~/./PUNCT/punct/2/./-",
    'He believes that sanctions will fail.': "He/PRP/PRON/nsubj/1/he/- believes/VBZ/VERB/ROOT/1/believe/- that/IN/SCONJ/mark/5/that/- sanctions/NNS/NOUN/nsubj/5/sanction/- will/MD/AUX/aux/5/will/- fail~/VB/VERB/ccomp/1/fail/- .~/./PUNCT/punct/1/./-",
    'According to NATO, the front has not moved.': "According/VBG/VERB/prep/8/accord/- to/IN/ADP/prep/0/to/- NATO~/NNP/PROPN/pobj/1/NATO/B-ORG ,/,/PUNCT/punct/8/,/- the/DT/DET/det/5/the/- front/NN/NOUN/nsubj/8/front/- has/VBZ/AUX/aux/8/have/- not/RB/PART/neg/8/not/- moved~/VBN/VERB/ROOT/8/move/- .~/./PUNCT/punct/8/./-",
    'The data suggests that the economy is slowing.': "The/DT/DET/det/1/the/- data/NNS/NOUN/nsubj/2/datum/- suggests/VBZ/VERB/ROOT/2/suggest/- that/IN/SCONJ/mark/7/that/- the/DT/DET/det/5/the/- economy/NN/NOUN/nsubj/7/economy/- is/VBZ/AUX/aux/7/be/- slowing~/VBG/VERB/ccomp/2/slow/- .~/./PUNCT/punct/2/./-",
    'Russia is not winning this war.': "Russia/NNP/PROPN/nsubj/3/Russia/B-GPE is/VBZ/AUX/aux/3/be/- not/RB/PART/neg/3/not/- winning/VBG/VERB/ROOT/3/win/- this/DT/DET/det/5/this/- war~/NN/NOUN/dobj/3/war/- .~/./PUNCT/punct/3/./-",
    'Moscow is going to escalate.': "Moscow/NNP/PROPN/nsubj/2/Moscow/B-GPE is/VBZ/AUX/aux/2/be/- going/VBG/VERB/ROOT/2/go/- to/TO/PART/aux/4/to/- escalate~/VB/VERB/xcomp/2/escalate/- .~/./PUNCT/punct/2/./-",
    'I hope that the ceasefire holds.': "I/PRP/PRON/nsubj/1/I/- hope/VBP/VERB/ROOT/1/hope/- that/IN/SCONJ/mark/5/that/- the/DT/DET/det/4/the/- ceasefire/NN/NOUN/nsubj/5/ceasefire/- holds~/VBZ/VERB/ccomp/1/hold/- .~/./PUNCT/punct/1/./-",
    'I fear that the ceasefire will collapse.': "I/PRP/PRON/nsubj/1/I/- fear/VBP/VERB/ROOT/1/fear/- that/IN/SCONJ/mark/6/that/- the/DT/DET/det/4/the/- ceasefire/NN/NOUN/nsubj/6/ceasefire/- will/MD/AUX/aux/6/will/- collapse~/VB/VERB/ccomp/1/collapse/- .~/./PUNCT/punct/1/./-",
    'Perhaps the front might hold.': "Perhaps/RB/ADV/advmod/4/perhaps/- the/DT/DET/det/2/the/- front/NN/NOUN/nsubj/4/front/- might/MD/AUX/aux/4/might/- hold~/VB/VERB/ROOT/4/hold/- .~/./PUNCT/punct/4/./-",
    'How can anyone trust a government that broke every promise?': "How/WRB/SCONJ/advmod/3/how/- can/MD/AUX/aux/3/can/- anyone/NN/PRON/nsubj/3/anyone/- trust/VB/VERB/ROOT/3/trust/- a/DT/DET/det/5/a/- government/NN/NOUN/dobj/3/government/- that/WDT/PRON/nsubj/7/that/- broke/VBD/VERB/relcl/5/break/- every/DT/DET/det/9/every/- promise~/NN/NOUN/dobj/7/promise/- ?~/./PUNCT/punct/3/?/-",
    'Nobody can.': "Nobody/NN/PRON/nsubj/1/nobody/- can~/MD/AUX/ROOT/1/can/- .~/./PUNCT/punct/1/./-",
    'These views are my own and do not represent the government.': "These/DT/DET/det/1/these/- views/NNS/NOUN/nsubj/2/view/- are/VBP/AUX/ROOT/2/be/- my/PRP$/PRON/poss/4/my/- own/JJ/ADJ/attr/2/own/- and/CC/CCONJ/cc/2/and/- do/VBP/AUX/aux/8/do/- not/RB/PART/neg/8/not/- represent/VB/VERB/conj/2/represent/- the/DT/DET/det/10/the/- government~/NN/NOUN/dobj/8/government/- .~/./PUNCT/punct/2/./-",
    'Let me turn to the economy.': "Let/VB/VERB/ROOT/0/let/- me/PRP/PRON/nsubj/2/I/- turn/VB/VERB/ccomp/0/turn/- to/IN/ADP/prep/2/to/- the/DT/DET/det/5/the/- economy~/NN/NOUN/pobj/3/economy/- .~/./PUNCT/punct/0/./-",
    'Sure.': "Sure~/UH/INTJ/ROOT/0/sure/- .~/./PUNCT/punct/0/./-",
    'That is a great question.': "That/DT/PRON/nsubj/1/that/- is/VBZ/AUX/ROOT/1/be/- a/DT/DET/det/4/a/- great/JJ/ADJ/amod/4/great/- question~/NN/NOUN/attr/1/question/- .~/./PUNCT/punct/1/./-",
    'In the spring, perhaps.': "In/IN/ADP/ROOT/0/in/- the/DT/DET/det/2/the/B-DATE spring~/NN/NOUN/pobj/0/spring/I-DATE ,/,/PUNCT/punct/4/,/- perhaps~/RB/ADV/advmod/0/perhaps/- .~/./PUNCT/punct/0/./-",
    'Give Ukraine the missiles.': "Give/VB/VERB/ROOT/0/give/- Ukraine/NNP/PROPN/dative/0/Ukraine/B-GPE the/DT/DET/det/3/the/- missiles~/NNS/NOUN/dobj/0/missile/- .~/./PUNCT/punct/0/./-",
    'Sanctions have cut Russian oil revenue by a third since 2022.': "Sanctions/NNS/NOUN/nsubj/2/sanction/- have/VBP/AUX/aux/2/have/- cut/VBN/VERB/ROOT/2/cut/- Russian/JJ/ADJ/amod/5/russian/B-NORP oil/NN/NOUN/compound/5/oil/- revenue/NN/NOUN/dobj/2/revenue/- by/IN/ADP/prep/2/by/- a/DT/DET/det/8/a/B-CARDINAL third/JJ/ADJ/pobj/6/third/I-CARDINAL since/IN/SCONJ/prep/2/since/- 2022~/CD/NUM/pobj/9/2022/B-DATE .~/./PUNCT/punct/2/./-",
    'Good evening to you all.': "Good/JJ/ADJ/amod/1/good/- evening/NN/NOUN/ROOT/1/evening/B-TIME to/IN/ADP/prep/1/to/- you/PRP/PRON/pobj/2/you/- all~/DT/PRON/appos/3/all/- .~/./PUNCT/punct/1/./-",
    'Putin wants to restore the empire.': "Putin/NNP/PROPN/nsubj/1/Putin/B-PERSON wants/VBZ/VERB/ROOT/1/want/- to/TO/PART/aux/3/to/- restore/VB/VERB/xcomp/1/restore/- the/DT/DET/det/5/the/- empire~/NN/NOUN/dobj/3/empire/- .~/./PUNCT/punct/1/./-",
    'Putin hopes that the West will tire.': "Putin/NNP/PROPN/nsubj/1/Putin/B-PERSON hopes/VBZ/VERB/ROOT/1/hop/- that/IN/SCONJ/mark/6/that/- the/DT/DET/det/4/the/- West/NNP/PROPN/nsubj/6/West/B-LOC will/MD/AUX/aux/6/will/- tire~/VB/VERB/ccomp/1/tire/- .~/./PUNCT/punct/1/./-",
    'Let us turn to the current situation.': "Let/VB/VERB/ROOT/0/let/- us/PRP/PRON/nsubj/2/we/- turn/VB/VERB/ccomp/0/turn/- to/IN/ADP/prep/2/to/- the/DT/DET/det/6/the/- current/JJ/ADJ/amod/6/current/- situation~/NN/NOUN/pobj/3/situation/- .~/./PUNCT/punct/0/./-",
    'I want to follow up on that.': "I/PRP/PRON/nsubj/1/I/- want/VBP/VERB/ROOT/1/want/- to/TO/PART/aux/3/to/- follow/VB/VERB/xcomp/1/follow/- up/RP/ADP/prt/3/up/- on/IN/ADP/prep/3/on/- that~/DT/PRON/pobj/5/that/- .~/./PUNCT/punct/1/./-",
    'We want to end this war.': "We/PRP/PRON/nsubj/1/we/- want/VBP/VERB/ROOT/1/want/- to/TO/PART/aux/3/to/- end/VB/VERB/xcomp/1/end/- this/DT/DET/det/5/this/- war~/NN/NOUN/dobj/3/war/- .~/./PUNCT/punct/1/./-",
    'I want to tell you about the front.': "I/PRP/PRON/nsubj/1/I/- want/VBP/VERB/ROOT/1/want/- to/TO/PART/aux/3/to/- tell/VB/VERB/xcomp/1/tell/- you/PRP/PRON/dobj/3/you/- about/IN/ADP/prep/3/about/- the/DT/DET/det/7/the/- front~/NN/NOUN/pobj/5/front/- .~/./PUNCT/punct/1/./-",
    'Russia wants more land.': "Russia/NNP/PROPN/nsubj/1/Russia/B-GPE wants/VBZ/VERB/ROOT/1/want/- more/JJR/ADJ/amod/3/more/- land~/NN/NOUN/dobj/1/land/- .~/./PUNCT/punct/1/./-",
    'We will ask Congress to fund Ukraine.': "We/PRP/PRON/nsubj/2/we/- will/MD/AUX/aux/2/will/- ask/VB/VERB/ROOT/2/ask/- Congress/NNP/PROPN/dobj/2/Congress/B-ORG to/TO/PART/aux/5/to/- fund/VB/VERB/xcomp/2/fund/- Ukraine~/NNP/PROPN/dobj/5/Ukraine/B-GPE .~/./PUNCT/punct/2/./-",
    'Governor Hale, you said that the tariffs would pay for themselves.': "Governor/NNP/PROPN/compound/1/Governor/- Hale~/NNP/PROPN/npadvmod/4/Hale/B-PERSON ,/,/PUNCT/punct/4/,/- you/PRP/PRON/nsubj/4/you/- said/VBD/VERB/ROOT/4/say/- that/IN/SCONJ/mark/9/that/- the/DT/DET/det/7/the/- tariffs/NNS/NOUN/nsubj/9/tariff/- would/MD/AUX/aux/9/would/- pay/VB/VERB/ccomp/4/pay/- for/IN/ADP/prep/9/for/- themselves~/PRP/PRON/pobj/10/themselves/- .~/./PUNCT/punct/4/./-",
    'You should hope that the ceasefire holds.': "You/PRP/PRON/nsubj/2/you/- should/MD/AUX/aux/2/should/- hope/VB/VERB/ROOT/2/hope/- that/IN/SCONJ/mark/6/that/- the/DT/DET/det/5/the/- ceasefire/NN/NOUN/nsubj/6/ceasefire/- holds~/VBZ/VERB/ccomp/2/hold/- .~/./PUNCT/punct/2/./-",
    # A name addressed before the subject, in a sentence without "you" (the first as parsed after "Thank you.").
    'Dr. Carson, many experts believe Russian leader Vladimir Putin has bigger designs for the region.': 'Dr./NNP/PROPN/compound/1/Dr./- Carson~/NNP/PROPN/nsubj/5/Carson/B-PERSON ,/,/PUNCT/punct/5/,/- many/JJ/ADJ/amod/4/many/- experts/NNS/NOUN/nsubj/5/expert/- believe/VBP/VERB/ROOT/5/believe/- Russian/JJ/ADJ/amod/7/russian/B-NORP leader/NN/NOUN/compound/9/leader/- Vladimir/NNP/PROPN/compound/9/Vladimir/B-PERSON Putin/NNP/PROPN/nsubj/10/Putin/I-PERSON has/VBZ/VERB/ccomp/5/have/- bigger/JJR/ADJ/amod/12/big/- designs/NNS/NOUN/dobj/10/design/- for/IN/ADP/prep/12/for/- the/DT/DET/det/15/the/- region~/NN/NOUN/pobj/13/region/- .~/./PUNCT/punct/5/./-',
    'Senator Hale, Donald Trump argues that NATO is unfair.': 'Senator/NNP/PROPN/compound/1/Senator/- Hale~/NNP/PROPN/nsubj/5/Hale/B-PERSON ,/,/PUNCT/punct/1/,/- Donald/NNP/PROPN/compound/4/Donald/B-PERSON Trump/NNP/PROPN/appos/1/Trump/I-PERSON argues/VBZ/VERB/ROOT/5/argue/- that/IN/SCONJ/mark/8/that/- NATO/NNP/PROPN/nsubj/8/NATO/B-ORG is/VBZ/AUX/ccomp/5/be/- unfair~/JJ/ADJ/acomp/8/unfair/- .~/./PUNCT/punct/5/./-',
    'Mr. Vice President, you said that the tariffs would pay for themselves.': 'Mr./NNP/PROPN/compound/2/Mr./- Vice/NNP/PROPN/compound/2/Vice/- President~/NNP/PROPN/npadvmod/5/President/- ,/,/PUNCT/punct/5/,/- you/PRP/PRON/nsubj/5/you/- said/VBD/VERB/ROOT/5/say/- that/IN/SCONJ/mark/10/that/- the/DT/DET/det/8/the/- tariffs/NNS/NOUN/nsubj/10/tariff/- would/MD/AUX/aux/10/would/- pay/VB/VERB/ccomp/5/pay/- for/IN/ADP/prep/10/for/- themselves~/PRP/PRON/pobj/11/themselves/- .~/./PUNCT/punct/5/./-',
    # Reported speech the parser misreads: "'s" (has) as a passive; an aspectual verb over the cue.
    "He's said the two armies are exhausted.": "He~/PRP/PRON/nsubjpass/2/he/- 's/VBZ/AUX/auxpass/2/be/- said/VBD/VERB/ROOT/2/say/- the/DT/DET/det/5/the/- two/CD/NUM/nummod/5/two/B-CARDINAL armies/NNS/NOUN/nsubjpass/7/army/- are/VBP/AUX/auxpass/7/be/- exhausted~/VBN/VERB/ccomp/2/exhaust/- .~/./PUNCT/punct/2/./-",
    'Peskov keeps saying the talks are going well.': 'Peskov/NNP/PROPN/nsubj/1/Peskov/B-PERSON keeps/VBZ/VERB/ROOT/1/keep/- saying/VBG/VERB/xcomp/1/say/- the/DT/DET/det/4/the/- talks/NNS/NOUN/nsubj/6/talk/- are/VBP/AUX/aux/6/be/- going/VBG/VERB/ccomp/2/go/- well~/RB/ADV/advmod/6/well/- .~/./PUNCT/punct/1/./-',
    'I keep saying the talks will fail.': 'I/PRP/PRON/nsubj/1/I/- keep/VBP/VERB/ROOT/1/keep/- saying/VBG/VERB/xcomp/1/say/- the/DT/DET/det/4/the/- talks/NNS/NOUN/nsubj/6/talk/- will/MD/AUX/aux/6/will/- fail~/VB/VERB/ccomp/2/fail/- .~/./PUNCT/punct/1/./-',
    "It's said that the talks will fail.": "It~/PRP/PRON/nsubjpass/2/it/- 's/VBZ/AUX/auxpass/2/be/- said/VBN/VERB/ROOT/2/say/- that/IN/SCONJ/mark/7/that/- the/DT/DET/det/5/the/- talks/NNS/NOUN/nsubj/7/talk/- will/MD/AUX/aux/7/will/- fail~/VB/VERB/ccomp/2/fail/- .~/./PUNCT/punct/2/./-",
    'Rutte spoke in Vilnius.': 'Rutte/NNP/PROPN/nsubj/1/Rutte/B-PERSON spoke/VBD/VERB/ROOT/1/speak/- in/IN/ADP/prep/1/in/- Vilnius~/NNP/PROPN/pobj/2/Vilnius/B-GPE .~/./PUNCT/punct/1/./-',
    # Quotations (tests/test_quotes.py): hand-written, parsed by the same model.
    "“The talks,” the minister said, “will resume next week in Geneva.”": "“~/``/PUNCT/punct/11/\"/- The/DT/DET/det/2/the/- talks~/NNS/NOUN/nsubj/11/talk/- ,~/,/PUNCT/punct/7/,/- ”/''/PUNCT/punct/7/\"/- the/DT/DET/det/6/the/- minister/NNP/PROPN/nsubj/7/minister/- said~/VBD/VERB/parataxis/11/say/- ,/,/PUNCT/punct/7/,/- “~/``/PUNCT/punct/7/\"/- will/MD/AUX/aux/11/will/- resume/VB/VERB/ROOT/11/resume/- next/JJ/ADJ/amod/13/next/B-DATE week/NN/NOUN/npadvmod/11/week/I-DATE in/IN/ADP/prep/11/in/- Geneva~/NNP/PROPN/pobj/14/Geneva/B-GPE .~/./PUNCT/punct/11/./- ”~/''/PUNCT/punct/11/\"/-",
    "“The war must end soon,” the senator said.": "“~/``/PUNCT/punct/10/\"/- The/DT/DET/det/2/the/- war/NN/NOUN/nsubj/4/war/- must/MD/AUX/aux/4/must/- end/VB/VERB/ccomp/10/end/- soon~/RB/ADV/advmod/4/soon/- ,~/,/PUNCT/punct/10/,/- ”/''/PUNCT/punct/10/\"/- the/DT/DET/det/9/the/- senator/NN/NOUN/nsubj/10/senator/- said~/VBD/VERB/ROOT/10/say/- .~/./PUNCT/punct/10/./-",
    "“We are ready to help.”": "“~/``/PUNCT/punct/2/\"/- We/PRP/PRON/nsubj/2/we/- are/VBP/AUX/ROOT/2/be/- ready/JJ/ADJ/acomp/2/ready/- to/TO/PART/aux/5/to/- help~/VB/VERB/xcomp/3/help/- .~/./PUNCT/punct/2/./- ”~/''/PUNCT/punct/2/\"/-",
    "Putin spoke on Friday.": "Putin/NNP/PROPN/nsubj/1/Putin/B-PERSON spoke/VBD/VERB/ROOT/1/speak/- on/IN/ADP/prep/1/on/- Friday~/NNP/PROPN/pobj/2/Friday/B-DATE .~/./PUNCT/punct/1/./-",
    "“We will not stop,” he said.": "“~/``/PUNCT/punct/8/\"/- We/PRP/PRON/nsubj/4/we/- will/MD/AUX/aux/4/will/- not/RB/PART/neg/4/not/- stop~/VB/VERB/ccomp/8/stop/- ,~/,/PUNCT/punct/8/,/- ”/''/PUNCT/punct/8/\"/- he/PRP/PRON/nsubj/8/he/- said~/VBD/VERB/ROOT/8/say/- .~/./PUNCT/punct/8/./-",
    "As I said last year, “this war will end in a deal.”": "As/IN/SCONJ/mark/2/as/- I/PRP/PRON/nsubj/2/I/- said/VBD/VERB/advcl/10/say/- last/JJ/ADJ/amod/4/last/B-DATE year~/NN/NOUN/npadvmod/10/year/I-DATE ,/,/PUNCT/punct/10/,/- “~/``/PUNCT/punct/10/\"/- this/DT/DET/det/8/this/- war/NN/NOUN/nsubj/10/war/- will/MD/AUX/aux/10/will/- end/VB/VERB/ROOT/10/end/- in/IN/ADP/prep/10/in/- a/DT/DET/det/13/a/- deal~/NN/NOUN/pobj/11/deal/- .~/./PUNCT/punct/10/./- ”~/''/PUNCT/punct/10/\"/-",
    "The minister said: “We will never accept this deal.”": "The/DT/DET/det/1/the/- minister/NN/NOUN/nsubj/2/minister/- said~/VBD/VERB/ROOT/2/say/- :/:/PUNCT/punct/2/:/- “~/``/PUNCT/punct/2/\"/- We/PRP/PRON/nsubj/8/we/- will/MD/AUX/aux/8/will/- never/RB/ADV/neg/8/never/- accept/VB/VERB/ccomp/2/accept/- this/DT/DET/det/10/this/- deal~/NN/NOUN/dobj/8/deal/- .~/./PUNCT/punct/2/./- ”~/''/PUNCT/punct/2/\"/-",
    "He called the plan “historic” and left.": "He/PRP/PRON/nsubj/1/he/- called/VBD/VERB/ROOT/1/call/- the/DT/DET/det/3/the/- plan/NN/NOUN/dobj/1/plan/- “~/``/PUNCT/punct/5/\"/- historic~/JJ/ADJ/oprd/1/historic/- ”/''/PUNCT/punct/1/\"/- and/CC/CCONJ/cc/1/and/- left~/VBD/VERB/conj/1/leave/- .~/./PUNCT/punct/1/./-",
    "[Former Ambassador Jane Doe](#a): “Peace is possible this year.": "[~/XX/X/nmod/4/[/- Former/JJ/ADJ/amod/2/former/- Ambassador/NNP/PROPN/compound/4/Ambassador/- Jane/NNP/PROPN/compound/4/Jane/B-PERSON Doe](#a~/NN/NOUN/dep/8/doe](#a/- ):/:/PUNCT/punct/4/):/- “~/``/PUNCT/punct/8/\"/- Peace/NN/NOUN/nsubj/8/peace/- is/VBZ/AUX/ROOT/8/be/- possible/JJ/ADJ/acomp/8/possible/- this/DT/DET/det/11/this/B-DATE year~/NN/NOUN/npadvmod/8/year/I-DATE .~/./PUNCT/punct/8/./-",
    "The talks are serious.”": "The/DT/DET/det/1/the/- talks/NNS/NOUN/nsubj/2/talk/- are/VBP/AUX/ROOT/2/be/- serious~/JJ/ADJ/acomp/2/serious/- .~/./PUNCT/punct/2/./- ”~/''/PUNCT/punct/2/\"/-",
    "[Sen. John Roe](#b): “We stand ready.”": "[~/XX/X/dep/7/[/- Sen./NNP/PROPN/compound/3/Sen./- John/NNP/PROPN/compound/3/John/B-PERSON Roe](#b~/NNP/PROPN/nsubj/0/Roe](#b/- ):/:/PUNCT/punct/3/):/- “~/``/PUNCT/punct/7/\"/- We/PRP/PRON/nsubj/7/we/- stand/VBP/VERB/ROOT/7/stand/- ready~/JJ/ADJ/acomp/7/ready/- .~/./PUNCT/punct/7/./- ”~/''/PUNCT/punct/7/\"/-",
    "### **Senator Tom Roe on Morning News** - “We will fund the army.”": "#~/$/SYM/quantmod/2/#/- #~/$/SYM/quantmod/2/#/- #/NN/NOUN/dep/17/#/- *~/NFP/PUNCT/punct/2/*/- *~/NFP/PUNCT/punct/2/*/- Senator/NNP/PROPN/compound/7/Senator/- Tom/NNP/PROPN/compound/7/Tom/B-PERSON Roe/NNP/PROPN/appos/2/Roe/I-PERSON on/IN/ADP/prep/7/on/- Morning/NNP/PROPN/compound/10/Morning/- News~/NNP/PROPN/pobj/8/News/- *~/NNP/PROPN/punct/2/*/- */NFP/PUNCT/punct/2/*/- -/:/PUNCT/punct/17/-/- “~/``/PUNCT/punct/17/\"/- We/PRP/PRON/nsubj/17/we/- will/MD/AUX/aux/17/will/- fund/VB/VERB/ROOT/17/fund/- the/DT/DET/det/19/the/- army~/NN/NOUN/dobj/17/army/- .~/./PUNCT/punct/17/./- ”~/''/PUNCT/punct/17/\"/-",
    "([Watch](#v)) - “The vote is next week and we will win it.”": "(~/-LRB-/PUNCT/punct/9/(/- [~/XX/X/dep/9/[/- Watch](#v~/XX/X/dep/1/watch](#v/- )~/-RRB-/PUNCT/punct/2/)/- )/-RRB-/PUNCT/punct/1/)/- -/:/PUNCT/punct/9/-/- “~/``/PUNCT/punct/9/\"/- The/DT/DET/det/8/the/- vote/NN/NOUN/nsubj/9/vote/- is/VBZ/AUX/ROOT/9/be/- next/JJ/ADJ/amod/11/next/B-DATE week/NN/NOUN/attr/9/week/I-DATE and/CC/CCONJ/cc/9/and/- we/PRP/PRON/nsubj/15/we/- will/MD/AUX/aux/15/will/- win/VB/VERB/conj/9/win/- it~/PRP/PRON/dobj/15/it/- .~/./PUNCT/punct/15/./- ”~/''/PUNCT/punct/15/\"/-",
    "[Jane Doe](#c): “It is a big win.": "[~/XX/X/nmod/2/[/- Jane/NN/NOUN/compound/2/jane/B-PERSON Doe](#c~/NN/NOUN/dep/6/doe](#c/- ):/:/PUNCT/punct/2/):/- “~/``/PUNCT/punct/6/\"/- It/PRP/PRON/nsubj/6/it/- is/VBZ/AUX/ROOT/6/be/- a/DT/DET/det/9/a/- big/JJ/ADJ/amod/9/big/- win~/NN/NOUN/attr/6/win/- .~/./PUNCT/punct/6/./-",
    "‘The door is open now, and you opened it,’ as Chancellor Kohl put it.”": "‘~/``/PUNCT/punct/3/'/- The/DT/DET/det/2/the/- door/NN/NOUN/nsubj/3/door/- is/VBZ/AUX/ROOT/3/be/- open/JJ/ADJ/acomp/3/open/- now~/RB/ADV/advmod/3/now/- ,/,/PUNCT/punct/3/,/- and/CC/CCONJ/cc/3/and/- you/PRP/PRON/nsubj/9/you/- opened/VBD/VERB/conj/3/open/- it~/PRP/PRON/dobj/9/it/- ,~/,/PUNCT/punct/9/,/- ’/''/PUNCT/punct/9/'/- as/IN/SCONJ/mark/16/as/- Chancellor/NNP/PROPN/compound/15/Chancellor/- Kohl/NNP/PROPN/nsubj/16/Kohl/B-PERSON put/VBD/VERB/advcl/9/put/- it~/PRP/PRON/dobj/16/it/- .~/./PUNCT/punct/9/./- ”~/''/PUNCT/punct/9/\"/-",
    "Jane Doe: “The deal is dead and nobody will revive it.”": "Jane/NNP/PROPN/compound/1/Jane/B-PERSON Doe~/NNP/PROPN/ROOT/1/Doe/- :/:/PUNCT/punct/1/:/- “~/``/PUNCT/punct/1/\"/- The/DT/DET/det/5/the/- deal/NN/NOUN/nsubj/6/deal/- is/VBZ/AUX/acl/1/be/- dead/JJ/ADJ/acomp/6/dead/- and/CC/CCONJ/cc/6/and/- nobody/NN/PRON/nsubj/11/nobody/- will/MD/AUX/aux/11/will/- revive/VB/VERB/conj/6/revive/- it~/PRP/PRON/dobj/11/it/- .~/./PUNCT/punct/6/./- ”~/''/PUNCT/punct/6/\"/-",
    "Your new article “Why Peace Fails Now” argues that talks are futile.": "Your/PRP$/PRON/poss/2/your/- new/JJ/ADJ/amod/2/new/- article/NN/NOUN/nsubj/9/article/- “~/``/PUNCT/punct/2/\"/- Why/WRB/SCONJ/advmod/6/why/B-WORK_OF_ART Peace/NN/NOUN/nsubj/6/peace/I-WORK_OF_ART Fails/VBZ/VERB/appos/2/fail/I-WORK_OF_ART Now~/RB/ADV/advmod/6/now/I-WORK_OF_ART ”/''/PUNCT/punct/9/\"/- argues/VBZ/VERB/ROOT/9/argue/- that/IN/SCONJ/mark/12/that/- talks/NNS/NOUN/nsubj/12/talk/- are/VBP/AUX/ccomp/9/be/- futile~/JJ/ADJ/acomp/12/futile/- .~/./PUNCT/punct/9/./-",
    # Positions, factive verbs and pronouns (tests/test_claims.py, issue 15).
    "Senator Hale is focused on funding the army.": "Senator/NNP/PROPN/compound/1/Senator/- Hale/NNP/PROPN/nsubjpass/3/Hale/B-PERSON is/VBZ/AUX/auxpass/3/be/- focused/VBN/VERB/ROOT/3/focus/- on/IN/ADP/prep/3/on/- funding/VBG/VERB/pcomp/4/fund/- the/DT/DET/det/7/the/- army~/NN/NOUN/dobj/5/army/- .~/./PUNCT/punct/3/./-",
    "Governor Hale reaffirmed her support for the treaty.": "Governor/NNP/PROPN/compound/1/Governor/- Hale/NNP/PROPN/nsubj/2/Hale/B-PERSON reaffirmed/VBD/VERB/ROOT/2/reaffirm/- her/PRP$/PRON/poss/4/her/- support/NN/NOUN/dobj/2/support/- for/IN/ADP/prep/4/for/- the/DT/DET/det/7/the/- treaty~/NN/NOUN/pobj/5/treaty/- .~/./PUNCT/punct/2/./-",
    "Securing the loan has been the main priority for Governor Hale.": "Securing/VBG/VERB/csubj/4/secure/- the/DT/DET/det/2/the/- loan/NN/NOUN/dobj/0/loan/- has/VBZ/AUX/aux/4/have/- been/VBN/AUX/ROOT/4/be/- the/DT/DET/det/7/the/- main/JJ/ADJ/amod/7/main/- priority/NN/NOUN/attr/4/priority/- for/IN/ADP/prep/7/for/- Governor/NNP/PROPN/compound/10/Governor/- Hale~/NNP/PROPN/pobj/8/Hale/- .~/./PUNCT/punct/4/./-",
    "We heard this from Governor Hale yesterday: the loan will come.": "We/PRP/PRON/nsubj/1/we/- heard/VBD/VERB/ccomp/11/hear/- this/DT/PRON/dobj/1/this/- from/IN/ADP/prep/1/from/- Governor/NNP/PROPN/compound/5/Governor/- Hale/NNP/PROPN/pobj/3/Hale/- yesterday~/NN/NOUN/npadvmod/1/yesterday/B-DATE :/:/PUNCT/punct/11/:/- the/DT/DET/det/9/the/- loan/NN/NOUN/nsubj/11/loan/- will/MD/AUX/aux/11/will/- come~/VB/VERB/ROOT/11/come/- .~/./PUNCT/punct/11/./-",
    "Governor Hale has made that clear.": "Governor/NNP/PROPN/compound/1/Governor/- Hale/NNP/PROPN/nsubj/3/Hale/B-PERSON has/VBZ/AUX/aux/3/have/- made/VBN/VERB/ROOT/3/make/- that/DT/PRON/nsubj/5/that/- clear~/JJ/ADJ/ccomp/3/clear/- .~/./PUNCT/punct/3/./-",
    "As Governor Hale made clear, the loan will come.": "As/IN/SCONJ/mark/3/as/- Governor/NNP/PROPN/compound/2/Governor/- Hale/NNP/PROPN/nsubj/3/Hale/B-PERSON made/VBD/VERB/advcl/9/make/- clear~/JJ/ADJ/oprd/3/clear/- ,/,/PUNCT/punct/9/,/- the/DT/DET/det/7/the/- loan/NN/NOUN/nsubj/9/loan/- will/MD/AUX/aux/9/will/- come~/VB/VERB/ROOT/9/come/- .~/./PUNCT/punct/9/./-",
    "I would say that Governor Hale has been an advocate for the treaty.": "I/PRP/PRON/nsubj/2/I/- would/MD/AUX/aux/2/would/- say/VB/VERB/ROOT/2/say/- that/IN/SCONJ/mark/7/that/- Governor/NNP/PROPN/compound/5/Governor/- Hale/NNP/PROPN/nsubj/7/Hale/B-PERSON has/VBZ/AUX/aux/7/have/- been/VBN/AUX/ccomp/2/be/- an/DT/DET/det/9/an/- advocate/NN/NOUN/attr/7/advocate/- for/IN/ADP/prep/9/for/- the/DT/DET/det/12/the/- treaty~/NN/NOUN/pobj/10/treaty/- .~/./PUNCT/punct/2/./-",
    "They believe that the loan will come.": "They/PRP/PRON/nsubj/1/they/- believe/VBP/VERB/ROOT/1/believe/- that/IN/SCONJ/mark/6/that/- the/DT/DET/det/4/the/- loan/NN/NOUN/nsubj/6/loan/- will/MD/AUX/aux/6/will/- come~/VB/VERB/ccomp/1/come/- .~/./PUNCT/punct/1/./-",
    "He rejected the offer and left.": "He/PRP/PRON/nsubj/1/he/- rejected/VBD/VERB/ROOT/1/reject/- the/DT/DET/det/3/the/- offer/NN/NOUN/dobj/1/offer/- and/CC/CCONJ/cc/1/and/- left~/JJ/ADJ/conj/1/left/- .~/./PUNCT/punct/1/./-",
    "Ruritania supports the treaty.": "Ruritania/NNP/PROPN/nsubj/1/Ruritania/- supports/VBZ/VERB/ROOT/1/support/- the/DT/DET/det/3/the/- treaty~/NN/NOUN/dobj/1/treaty/- .~/./PUNCT/punct/1/./-",
    "Governor Hale knows that the winter will be hard.": "Governor/NNP/PROPN/compound/1/Governor/- Hale/NNP/PROPN/nsubj/2/Hale/B-PERSON knows/VBZ/VERB/ROOT/2/know/- that/IN/SCONJ/mark/7/that/- the/DT/DET/det/5/the/- winter/NN/NOUN/nsubj/7/winter/- will/MD/AUX/aux/7/will/- be/VB/AUX/ccomp/2/be/- hard~/JJ/ADJ/acomp/7/hard/- .~/./PUNCT/punct/2/./-",
    "Governor Hale believes that the winter will be hard.": "Governor/NNP/PROPN/compound/1/Governor/- Hale/NNP/PROPN/nsubj/2/Hale/B-PERSON believes/VBZ/VERB/ROOT/2/believe/- that/IN/SCONJ/mark/7/that/- the/DT/DET/det/5/the/B-DATE winter/NN/NOUN/nsubj/7/winter/I-DATE will/MD/AUX/aux/7/will/- be/VB/AUX/ccomp/2/be/- hard~/JJ/ADJ/acomp/7/hard/- .~/./PUNCT/punct/2/./-",
    "Ruritanian officials believe that the loan will come.": "Ruritanian/JJ/ADJ/amod/1/ruritanian/B-NORP officials/NNS/NOUN/nsubj/2/official/- believe/VBP/VERB/ROOT/2/believe/- that/IN/SCONJ/mark/7/that/- the/DT/DET/det/5/the/- loan/NN/NOUN/nsubj/7/loan/- will/MD/AUX/aux/7/will/- come~/VB/VERB/ccomp/2/come/- .~/./PUNCT/punct/2/./-",
    "The minister wrote: “The loan will come this spring.": "The/DT/DET/det/1/the/- minister/NN/NOUN/nsubj/2/minister/- wrote~/VBD/VERB/ROOT/2/write/- :/:/PUNCT/punct/2/:/- “~/``/PUNCT/punct/2/\"/- The/DT/DET/det/6/the/- loan/NN/NOUN/nsubj/8/loan/- will/MD/AUX/aux/8/will/- come/VB/VERB/ccomp/2/come/- this/DT/DET/det/10/this/B-DATE spring~/NN/NOUN/npadvmod/8/spring/I-DATE .~/./PUNCT/punct/2/./-",
    "“Nobody should doubt that it will come in time.”": "“~/``/PUNCT/punct/3/\"/- Nobody/NN/PRON/nsubj/3/nobody/- should/MD/AUX/aux/3/should/- doubt/VB/VERB/ROOT/3/doubt/- that/IN/SCONJ/mark/7/that/- it/PRP/PRON/nsubj/7/it/- will/MD/AUX/aux/7/will/- come/VB/VERB/ccomp/3/come/- in/IN/ADP/prep/7/in/- time~/NN/NOUN/pobj/8/time/- .~/./PUNCT/punct/3/./- ”~/''/PUNCT/punct/3/\"/-",
    "Mr. Hale, you argued that the loan will come.": "Mr./NNP/PROPN/compound/1/Mr./- Hale~/NNP/PROPN/npadvmod/4/Hale/B-PERSON ,/,/PUNCT/punct/4/,/- you/PRP/PRON/nsubj/4/you/- argued/VBD/VERB/ROOT/4/argue/- that/IN/SCONJ/mark/9/that/- the/DT/DET/det/7/the/- loan/NN/NOUN/nsubj/9/loan/- will/MD/AUX/aux/9/will/- come~/VB/VERB/ccomp/4/come/- .~/./PUNCT/punct/4/./-",
    "Senator Jane Doe (R-TX): “The aid package will pass this week.”": "Senator/NNP/PROPN/compound/2/Senator/- Jane/NNP/PROPN/compound/2/Jane/B-PERSON Doe/NNP/PROPN/nsubj/13/Doe/I-PERSON (~/-LRB-/PUNCT/punct/2/(/- R~/NNP/PROPN/compound/6/R/- -~/HYPH/PUNCT/punct/6/-/- TX~/NNP/PROPN/appos/2/TX/- ):/:/PUNCT/punct/2/):/- “~/``/PUNCT/punct/13/\"/- The/DT/DET/det/11/the/- aid/NN/NOUN/compound/11/aid/- package/NN/NOUN/nsubj/13/package/- will/MD/AUX/aux/13/will/- pass/VB/VERB/ROOT/13/pass/- this/DT/DET/det/15/this/B-DATE week~/NN/NOUN/npadvmod/13/week/I-DATE .~/./PUNCT/punct/13/./- ”~/''/PUNCT/punct/13/\"/-",
    "“The aid package will pass this week.”": "“~/``/PUNCT/punct/5/\"/- The/DT/DET/det/3/the/- aid/NN/NOUN/compound/3/aid/- package/NN/NOUN/nsubj/5/package/- will/MD/AUX/aux/5/will/- pass/VB/VERB/ROOT/5/pass/- this/DT/DET/det/7/this/B-DATE week~/NN/NOUN/npadvmod/5/week/I-DATE .~/./PUNCT/punct/5/./- ”~/''/PUNCT/punct/5/\"/-",
    "— Senator Jane Doe": "—/:/PUNCT/punct/3/—/- Senator/NNP/PROPN/compound/3/Senator/- Jane/NNP/PROPN/compound/3/Jane/B-PERSON Doe~/NNP/PROPN/ROOT/3/Doe/I-PERSON",
    "Jane Doe, Senator from Texas: “The aid package will pass this week.”": "Jane/NNP/PROPN/compound/1/Jane/B-PERSON Doe~/NNP/PROPN/nsubj/12/Doe/I-PERSON ,/,/PUNCT/punct/1/,/- Senator/NNP/PROPN/appos/1/Senator/- from/IN/ADP/prep/3/from/- Texas~/NNP/PROPN/pobj/4/Texas/B-GPE :/:/PUNCT/punct/1/:/- “~/``/PUNCT/punct/1/\"/- The/DT/DET/det/10/the/- aid/NN/NOUN/compound/10/aid/- package/NN/NOUN/nsubj/12/package/- will/MD/AUX/aux/12/will/- pass/VB/VERB/ROOT/12/pass/- this/DT/DET/det/14/this/B-DATE week~/NN/NOUN/npadvmod/12/week/I-DATE .~/./PUNCT/punct/12/./- ”~/''/PUNCT/punct/12/\"/-",
    'My colleague Marcus Feld, who is on the restraint side, says every extra dollar just extends the killing.': 'My/PRP$/PRON/poss/1/my/- colleague/NN/NOUN/nsubj/12/colleague/- Marcus/NNP/PROPN/compound/3/Marcus/B-PERSON Feld~/NNP/PROPN/appos/1/Feld/I-PERSON ,/,/PUNCT/punct/3/,/- who/WP/PRON/nsubj/6/who/- is/VBZ/AUX/relcl/3/be/- on/IN/ADP/prep/6/on/- the/DT/DET/det/10/the/- restraint/NN/NOUN/compound/10/restraint/- side~/NN/NOUN/pobj/7/side/- ,/,/PUNCT/punct/12/,/- says/VBZ/VERB/ROOT/12/say/- every/DT/DET/det/15/every/- extra/JJ/ADJ/amod/15/extra/- dollar/NN/NOUN/nsubj/17/dollar/- just/RB/ADV/advmod/17/just/- extends/VBZ/VERB/ccomp/12/extend/- the/DT/DET/det/19/the/- killing~/NN/NOUN/dobj/17/killing/- .~/./PUNCT/punct/12/./-',
    'Putin wrote that essay in 2021 saying Russians and Ukrainians are one people.': 'Putin/NNP/PROPN/nsubj/1/Putin/B-PERSON wrote/VBD/VERB/ROOT/1/write/- that/DT/DET/det/3/that/- essay/NN/NOUN/dobj/1/essay/- in/IN/ADP/prep/1/in/- 2021/CD/NUM/pobj/4/2021/B-DATE saying/VBG/VERB/advcl/1/say/- Russians/NNPS/PROPN/nsubj/10/Russians/B-NORP and/CC/CCONJ/cc/7/and/- Ukrainians/NNPS/PROPN/conj/7/Ukrainians/B-NORP are/VBP/AUX/ccomp/6/be/- one/CD/NUM/nummod/12/one/B-CARDINAL people~/NNS/NOUN/attr/10/people/- .~/./PUNCT/punct/1/./-',
    'I was on the radio last week saying the talks would fail.': 'I/PRP/PRON/nsubj/1/I/- was/VBD/AUX/ROOT/1/be/- on/IN/ADP/prep/1/on/- the/DT/DET/det/4/the/- radio/NN/NOUN/pobj/2/radio/- last/JJ/ADJ/amod/6/last/B-DATE week/NN/NOUN/npadvmod/1/week/I-DATE saying/VBG/VERB/advcl/1/say/- the/DT/DET/det/9/the/- talks/NNS/NOUN/nsubj/11/talk/- would/MD/AUX/aux/11/would/- fail~/VB/VERB/ccomp/7/fail/- .~/./PUNCT/punct/1/./-',
    # Pronoun antecedents: the subject of the sentence before, the question before the answer, a first name.
    'Rutte met Trump in Vilnius.': 'Rutte/NNP/PROPN/nsubj/1/Rutte/B-PERSON met/VBD/VERB/ROOT/1/meet/- Trump/NNP/PROPN/dobj/1/Trump/B-PERSON in/IN/ADP/prep/1/in/- Vilnius~/NNP/PROPN/pobj/3/Vilnius/B-GPE .~/./PUNCT/punct/1/./-',
    'Marcus believes that the loan will come.': 'Marcus/NNP/PROPN/nsubj/1/Marcus/B-ORG believes/VBZ/VERB/ROOT/1/believe/- that/IN/SCONJ/mark/6/that/- the/DT/DET/det/4/the/- loan/NN/NOUN/nsubj/6/loan/- will/MD/AUX/aux/6/will/- come~/VB/VERB/ccomp/1/come/- .~/./PUNCT/punct/1/./-',
}

_VOCAB = spacy.blank("en").vocab


def build_doc(sentences: Sequence[str]) -> Doc:
    """One `Doc` holding the frozen parses of `sentences`, in order, separated by spaces."""
    words: list[str] = []
    spaces: list[bool] = []
    tags, pos, deps, lemmas, ents = [], [], [], [], []
    heads: list[int] = []
    for sentence in sentences:
        offset = len(words)
        items = PARSES[sentence].split(" ")
        for index, item in enumerate(items):
            text, tag, upos, dep, head, lemma, ent = item.rsplit("/", 6)
            no_space = text.endswith("~")
            words.append(text[:-1] if no_space else text)
            spaces.append(not no_space or index == len(items) - 1)
            tags.append(tag)
            pos.append(upos)
            deps.append(dep)
            heads.append(offset + int(head))
            lemmas.append(lemma)
            ents.append("O" if ent == "-" else ent)
    spaces[-1] = False
    return Doc(_VOCAB, words=words, spaces=spaces, tags=tags, pos=pos, deps=deps, heads=heads, lemmas=lemmas, ents=ents)


def sentence_span(sentence: str):
    """The span of one frozen sentence, alone in its doc."""
    return build_doc([sentence])[:]


def build_annotated(turns: Sequence[tuple[str, Sequence[str]]], *, episode_id: str = "ep") -> AnnotatedEpisode:
    """An `AnnotatedEpisode` whose turns are (speaker, frozen sentences), one paragraph each."""
    text = ""
    records: list[Turn] = []
    segments: list[Segment] = []
    sentences: list[Sentence] = []
    for turn_id, (speaker, turn_sentences) in enumerate(turns):
        doc = build_doc(turn_sentences)
        if text:
            text += "\n\n"
        offset = len(text)
        text += doc.text
        records.append(Turn(turn_id, speaker, None, doc.text, offset, len(text), start_s=10.0 * turn_id, end_s=10.0 * turn_id + 9))
        segments.append(Segment(turn_id=turn_id, offset=offset, doc=doc))
        for sent in doc.sents:
            sentences.append(Sentence(
                sentence_id=len(sentences), turn_id=turn_id, speaker=speaker, text=sent.text,
                start_char=offset + sent.start_char, end_char=offset + sent.end_char,
                start_s=10.0 * turn_id, end_s=10.0 * turn_id + 9, span=sent, segment_offset=offset,
            ))
    episode = Episode(episode_id, f"{episode_id}.txt", "speaker_header", text, tuple(records), "hash")
    return AnnotatedEpisode(episode=episode, segments=segments, sentences=sentences)


def flat_detector(learned: float = 0.3) -> ClaimDetector:
    """A detector whose learned score is `learned` everywhere, so only the parse rules decide."""
    bias = float(np.log(learned / (1 - learned)))
    return ClaimDetector(weights=np.zeros(N_HASH + len(PARSE_FEATURES)), bias=bias)
