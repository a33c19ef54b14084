"""The function-word quick answer of language detection agrees with the n-gram model
wherever the model is sure (issue 12: detection must not cost minutes per million articles)."""

from annotator.formats.conll import join_tokens, parse_conll
from annotator.formats.language import SAMPLE_CHARS, _clear_case, _model, detect_language, model_language

ENGLISH = [
    "Defence Minister John Smith pledged on Monday to continue support for Ukraine, according to officials, "
    "and accused Russia of attacks on civilians. He said that the government was determined to act and that "
    "the aid would arrive in the coming weeks, as it has been planned with the allies.",
    "The central bank said on Tuesday that inflation was expected to slow in the second half of the year, "
    "and that interest rates would remain on hold for now. Analysts said the decision was in line with "
    "their forecasts, but warned of risks from the price of oil and from the weak currency.",
]


def _idner_texts(idner_dir):
    texts = []
    for split in ("dev", "train"):
        path = idner_dir / f"{split}.txt"
        docs, _ = parse_conll(path.read_text(encoding="utf-8").replace("\r\n", "\n"), path)
        texts += [" ".join(join_tokens([t.text for t in s])[0] for s in d.sentences) for d in docs]
    return texts


def test_quick_answer_agrees_with_a_sure_model(idner_dir):
    texts = _idner_texts(idner_dir) + ENGLISH
    quick = {"id": 0, "en": 0}
    for text in texts:
        sample = text[:SAMPLE_CHARS]
        answer = _clear_case(sample.split())
        if answer is None:
            continue
        quick[answer] += 1
        language, confidence = _model().classify(sample)
        if confidence >= 0.8:
            assert model_language(sample) == answer, sample[:120]
    assert quick["id"] >= 0.95 * (len(texts) - len(ENGLISH)) and quick["en"] == len(ENGLISH)


def test_unclear_text_still_goes_to_the_model():
    german = "Der Bundeskanzler sagte am Montag in Berlin, dass die Regierung weiter helfen werde, und die Opposition"
    assert _clear_case(german.split()) is None and detect_language(german) is None
    mixed = "the and of yang dan di dengan untuk dari ini itu tidak the and"  # both languages: no quick answer
    assert _clear_case(mixed.split()) is None
