"""py3langid's model from the disk cache (``crawler.press.langmodel``, issue #14).

Every test works on real files in its own folder: the cached identifier must answer exactly as
py3langid's own (the language and the normalised probability, to the last bit), a second load
must map the cache instead of decompressing the model, and anything wrong with the cache (a
broken file, a folder that cannot be written) must cost only the time.
"""

from __future__ import annotations

import lzma
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import numpy as np
import py3langid.langid
import pytest
from py3langid.langid import LanguageIdentifier

from bench.corpus import readability_pages
from crawler.config import CACHE_ENV, cache_dir
from crawler.press import langmodel
from crawler.press.langmodel import PACKAGED_MODEL, load_identifier, model_key

FILES = {"ptc", "pc", "classes", "nextmove", "row", "output"}

#: Texts of several languages and scripts, always there (the corpus may be absent).
BUILT = [
    "The committee met on Tuesday to discuss the budget for the coming year and agreed to "
    "postpone the vote until the auditors had finished their report.",
    "Scientists say the new telescope will let them look further back in time than ever.",
    "Le conseil municipal a voté hier soir le budget de la ville, après un long débat sur le "
    "prix des transports publics et la rénovation des écoles.",
    "Les chercheurs ont découvert une nouvelle espèce de grenouille dans la forêt tropicale.",
    "Die Bundesregierung hat am Mittwoch ein neues Gesetz zum Schutz der Wälder beschlossen, "
    "das im kommenden Jahr in Kraft treten soll.",
    "Der Zug nach München hatte wegen eines Unwetters mehr als zwei Stunden Verspätung.",
    "El gobierno anunció ayer un plan para mejorar las carreteras del norte del país antes "
    "de que termine el verano.",
    "Los vecinos del barrio se reunieron en la plaza para celebrar la fiesta mayor.",
    "Il sindaco ha presentato il nuovo piano per il traffico della città durante una "
    "conferenza stampa affollata di giornalisti.",
    "O presidente da câmara anunciou que as obras na estação de comboios vão começar em "
    "setembro e durar dois anos.",
    "De gemeenteraad heeft gisteravond besloten om de bibliotheek in het centrum te "
    "verbouwen en langer open te houden.",
    "Regeringen presenterade i dag ett nytt förslag om hur skolorna ska finansieras i framtiden.",
    "Rząd przedstawił wczoraj nowy projekt ustawy dotyczącej ochrony środowiska i "
    "transportu publicznego w dużych miastach.",
    "Правительство объявило о новых мерах поддержки малого бизнеса в регионах страны.",
    "Міська рада ухвалила рішення про будівництво нового мосту через річку.",
    "Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα για την ενίσχυση της οικονομίας.",
    "Hükümet bugün yeni bir ekonomi paketi açıkladı ve vergilerin düşürüleceğini söyledi.",
    "Hallitus esitteli tänään uuden suunnitelman koulujen rahoittamiseksi.",
    "A kormány ma új intézkedéseket jelentett be a gazdaság támogatására.",
    "Vláda dnes představila nový plán na podporu veřejné dopravy ve městech.",
    "政府は今日、新しい経済対策を発表し、中小企業への支援を強化すると述べた。",
    "政府今天宣布了一项新的经济计划，以支持小企业和创造就业机会。",
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد وخلق فرص عمل للشباب.",
    "הממשלה הודיעה היום על תוכנית חדשה לתמיכה בעסקים קטנים.",
    "सरकार ने आज छोटे व्यवसायों की मदद के लिए एक नई योजना की घोषणा की।",
    "정부는 오늘 중소기업을 지원하기 위한 새로운 경제 대책을 발표했다.",
    "Pemerintah hari ini mengumumkan rencana baru untuk mendukung usaha kecil.",
    "Chính phủ hôm nay đã công bố một kế hoạch mới để hỗ trợ các doanh nghiệp nhỏ.",
    "Regeringen fremlagde i dag en ny plan for den offentlige transport i de store byer.",
    "THE HEADLINE IS WRITTEN IN CAPITAL LETTERS FROM START TO END",
    "12345 67890 ... !!! ???",
    "",
]


def corpus_texts(limit: int = 40) -> list[str]:
    """The first 1,000 characters (what ``detect_language`` reads) of readability pages."""
    texts = []
    for folder in readability_pages()[:limit]:
        root = lxml.html.fromstring((folder / "expected.html").read_bytes())
        text = " ".join(root.text_content().split())[:1000]
        if text:
            texts.append(text)
    return texts


TEXTS = BUILT + corpus_texts()


@pytest.fixture(scope="module")
def stock() -> Any:
    """py3langid's own identifier, as ``crawler.press.language`` built it before the cache."""
    return LanguageIdentifier.from_model_file(py3langid.langid.MODEL_FILE, norm_probs=True)


@pytest.fixture
def model_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The model files py3langid's own loader decompresses during the test."""
    calls: list[Path] = []
    real: Callable[[Path], Any] = py3langid.langid._load_model_file

    def counted(path: Path) -> Any:
        calls.append(Path(path))
        return real(path)

    monkeypatch.setattr(py3langid.langid, "_load_model_file", counted)
    return calls


def assert_same_answers(identifier: Any, stock: Any) -> None:
    for text in TEXTS:
        assert identifier.classify(text) == stock.classify(text), text[:60]
        assert identifier.classify(text.encode()) == stock.classify(text.encode())
    assert identifier.rank(TEXTS[2]) == stock.rank(TEXTS[2])


def cache_folder(root: Path, model: Path = PACKAGED_MODEL) -> Path:
    return root / model_key(model, py3langid.__version__)


def test_the_texts_cover_many_languages(stock: Any) -> None:
    assert len(TEXTS) >= 30
    assert len({stock.classify(text)[0] for text in BUILT}) >= 25


def test_the_cached_identifier_answers_as_py3langid_both_cold_and_warm(
    tmp_path: Path, stock: Any, model_loads: list[Path]
) -> None:
    cold = load_identifier(tmp_path)  # no cache yet: py3langid's loader, then written
    assert model_loads == [PACKAGED_MODEL]
    assert {p.stem for p in cache_folder(tmp_path).iterdir()} == FILES
    warm = load_identifier(tmp_path)
    assert model_loads == [PACKAGED_MODEL]  # mapped from the cache: nothing decompressed
    assert isinstance(warm.tk_nextmove, memoryview)
    assert warm.nb_classes == stock.nb_classes
    assert_same_answers(cold, stock)
    assert_same_answers(warm, stock)


def test_a_second_load_reads_the_cache_and_leaves_it_as_it_is(
    tmp_path: Path, model_loads: list[Path]
) -> None:
    load_identifier(tmp_path)
    folder = cache_folder(tmp_path)
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    for _ in range(2):
        assert load_identifier(tmp_path).classify(BUILT[4])[0] == "de"
    assert len(model_loads) == 1
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary folder left


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble_header(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(b"not a numpy file" + data[16:])


def _out_of_range(path: Path) -> None:
    """A well-formed file whose transition table points past the last state."""
    table = np.load(path)
    table[1000] = np.iinfo(table.dtype).max
    np.save(path, table)


def _missing(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("nextmove", _truncate),
        ("ptc", _truncate),
        ("ptc", _garble_header),
        ("nextmove", _out_of_range),
        ("classes", _missing),
    ],
)
def test_a_broken_cache_falls_back_and_is_rewritten(
    tmp_path: Path,
    stock: Any,
    model_loads: list[Path],
    name: str,
    damage: Callable[[Path], None],
) -> None:
    load_identifier(tmp_path)
    folder = cache_folder(tmp_path)
    good = (folder / f"{name}.npy").read_bytes() if name != "classes" else b""
    damage(folder / f"{name}.npy")

    identifier = load_identifier(tmp_path)
    assert len(model_loads) == 2  # the broken copy was not used
    assert_same_answers(identifier, stock)
    assert {p.stem for p in folder.iterdir()} == FILES
    if good:
        assert (folder / f"{name}.npy").read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # the broken copy is gone

    load_identifier(tmp_path)
    assert len(model_loads) == 2  # the rewritten copy is read


@pytest.mark.parametrize("where", ["under a file", "a name too long"])
def test_an_unusable_cache_folder_falls_back_without_an_error(
    tmp_path: Path,
    stock: Any,
    model_loads: list[Path],
    caplog: pytest.LogCaptureFixture,
    where: str,
) -> None:
    # Failures even root meets (it ignores modes): a file where a folder should be (mkdir
    # fails), a name the file system refuses (even looking for the folder fails).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    root = blocker / "cache" if where == "under a file" else tmp_path / ("x" * 300) / "cache"
    caplog.set_level("DEBUG", logger="crawler.press.langmodel")

    identifier = load_identifier(root)
    assert model_loads == [PACKAGED_MODEL]
    assert_same_answers(identifier, stock)
    assert "not written" in caplog.text
    assert [p.name for p in tmp_path.iterdir()] == [blocker.name]


def test_an_unreadable_model_is_reported_by_py3langid_as_before(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_identifier(tmp_path, tmp_path / "missing.npz.xz")


def test_a_folder_another_process_wrote_first_is_kept(tmp_path: Path, stock: Any) -> None:
    folder = tmp_path / "py3langid-race"
    langmodel._write(folder, stock)
    first = {p.name: p.stat().st_ino for p in folder.iterdir()}
    langmodel._write(folder, stock)  # lost the race: its own copy is dropped, no error
    assert {p.name: p.stat().st_ino for p in folder.iterdir()} == first
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]


def test_another_model_or_release_has_its_own_folder(
    tmp_path: Path, stock: Any, model_loads: list[Path]
) -> None:
    same = tmp_path / "same.npz.xz"
    same.write_bytes(PACKAGED_MODEL.read_bytes())
    # The same arrays compressed otherwise: a valid model of another size and digest.
    other = tmp_path / "other.npz.xz"
    other.write_bytes(lzma.compress(lzma.decompress(PACKAGED_MODEL.read_bytes()), preset=1))
    version = py3langid.__version__
    assert model_key(same, version) == model_key(PACKAGED_MODEL, version)  # a reinstall
    assert model_key(PACKAGED_MODEL, "0.5.0") != model_key(PACKAGED_MODEL, version)
    assert model_key(other, version) != model_key(PACKAGED_MODEL, version)
    assert re.fullmatch(r"py3langid-[0-9.]+-\d+-[0-9a-f]{16}-v\d+", model_key(other, version))

    root = tmp_path / "cache"
    load_identifier(root)
    identifier = load_identifier(root, other)
    assert model_loads == [PACKAGED_MODEL, other]  # not the packaged model's copy
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [cache_folder(root).name, cache_folder(root, other).name]
    )
    assert_same_answers(identifier, stock)


def test_the_suite_never_writes_into_the_real_cache() -> None:
    assert os.environ.get(CACHE_ENV)
    assert not cache_dir().resolve().is_relative_to(Path.home().resolve() / ".cache")
