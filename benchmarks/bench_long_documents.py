"""Does extraction stay linear in the length of one document?

Run by hand: PYTHONPATH=scripts python benchmarks/bench_long_documents.py
Archives hold long documents too (reports, transcripts, a day's wire file saved as one text).
An extractor that is fast per article can still be quadratic per document: in session 8, a test
of every number against every date, and of every sentence against every date and earlier
sentence of its incident, took a 2 MB document of news from 3.6 down to 1.2 MB/s.

For each kind of text, `extract_document` runs on one document of growing size; MB/s should stay
about the same (the last column compares the largest with the smallest):
- real news: the Lee articles joined (read from gensim's wheel, see common.news_texts), or the
  seed article repeated when pip cannot fetch them;
- units written for this benchmark, each repeated: a casualty sentence, a dated sentence, a
  phrase claim ("A man was killed"), a line without sentence end.
"""

from __future__ import annotations

import time

from common import SEED, machine, news_texts

SIZES_KB = (120, 480, 1920)
UNITS = {
    "casualty sentences": "A bomb killed 3 people and wounded 4. ",
    "dated sentences": "On Monday, January 3, police said 12 people were arrested. ",
    "phrase claims": "A man was killed. ",
    "no sentence end": "killed 3 and wounded 4 and ",
}


def mb_per_second(text: str) -> float:
    from figures.documents import make_document
    from figures.extract import extract_document

    doc = make_document("long", text.encode(), "bench")
    start = time.process_time()
    extract_document(doc)
    return len(doc.data) / 1e6 / (time.process_time() - start)


def grown(pieces: list[str], kilobytes: int, separator: str) -> str:
    """The pieces joined, repeated as needed, cut at a piece to about `kilobytes` kB."""
    out, size, index = [], 0, 0
    while size < kilobytes * 1000:
        piece = pieces[index % len(pieces)]
        out.append(piece)
        size += len(piece.encode()) + len(separator)
        index += 1
    return separator.join(out)


def main() -> None:
    from figures.documents import make_document
    from figures.extract import extract_document

    print(f"machine: {machine()}")
    extract_document(make_document("warm", b"On Monday 3 people were killed.", "bench"))  # compile the rules
    news = news_texts()
    kinds = {"real news (Lee articles joined)" if news else "seed article repeated":
             (news or [SEED.read_text(encoding="utf-8")], "\n\n")}
    kinds.update({name: ([unit], "") for name, unit in UNITS.items()})
    print(f"{'MB/s, one document of':32s}" + "".join(f"{kb:>8d} kB" for kb in SIZES_KB) + "   largest/smallest")
    for name, (pieces, separator) in kinds.items():
        speeds = [mb_per_second(grown(pieces, kb, separator)) for kb in SIZES_KB]
        print(f"{name:32s}" + "".join(f"{s:11.2f}" for s in speeds)
              + f"   {speeds[-1] / speeds[0]:.2f}")


if __name__ == "__main__":
    main()
