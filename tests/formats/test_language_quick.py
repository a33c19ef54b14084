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
    """Whole documents, and every run of three sentences (short articles of 40-90 words)."""
    texts: list[str] = []
    pieces: list[str] = []
    for split in ("dev", "train"):
        path = idner_dir / f"{split}.txt"
        docs, _ = parse_conll(path.read_text(encoding="utf-8").replace("\r\n", "\n"), path)
        for d in docs:
            sents = [join_tokens([t.text for t in s])[0] for s in d.sentences]
            texts.append(" ".join(sents))
            pieces += [" ".join(sents[i : i + 3]) for i in range(0, len(sents), 3)]
    return texts, pieces


def test_quick_answer_agrees_with_a_sure_model(idner_dir):
    docs, pieces = _idner_texts(idner_dir)
    texts = docs + pieces + ENGLISH
    quick = {"id": 0, "en": 0}
    for text in texts:
        sample = text[:SAMPLE_CHARS]
        answer = _clear_case(sample)
        if answer is None:
            continue
        quick[answer] += 1
        language, confidence = _model().classify(sample)
        if confidence >= 0.8:
            assert model_language(sample) == answer, sample[:120]
    assert sum(_clear_case(d[:SAMPLE_CHARS]) == "id" for d in docs) >= 0.95 * len(docs)
    assert quick["id"] >= 0.75 * (len(docs) + len(pieces)) and quick["en"] == len(ENGLISH)


def test_unclear_text_still_goes_to_the_model():
    german = "Der Bundeskanzler sagte am Montag in Berlin, dass die Regierung weiter helfen werde, und die Opposition"
    assert _clear_case(german) is None and detect_language(german) is None
    mixed = "the and of yang dan di dengan untuk dari ini itu tidak the and"  # both languages: no quick answer
    assert _clear_case(mixed) is None
