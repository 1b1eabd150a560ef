"""The actor catalog: known actors, their names, and how surface forms map to them.

The catalog is read from a TOML file (default `whoclaims/resources/actors.toml`,
whose header documents the format). Every surface form of an actor (name,
aliases, metonyms such as "Moscow" or "the Kremlin", demonyms such as "Russian")
maps to exactly one actor; a form claimed by two actors is an error.

Case rules for lookup and for the entity ruler built from the catalog:

- an acronym (a form with no lowercase letter, such as "US", "U.S.", "EU") matches
  in exactly that case, so "us" is never the United States;
- an actor with `case_sensitive = true` matches its capitalised words in exactly
  that case ("the West", not "the west"; "Trump", not "trump");
- every other form matches in any case ("putin", "PUTIN");
- a trailing possessive ("'s", "’s", or a bare apostrophe after "s") is ignored.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from whoclaims.schemas import ACTOR_TYPES, ENTITY_LABELS

log = logging.getLogger(__name__)

GENDERS = ("male", "female")

# The NER label a name of each actor type gets unless the entry says otherwise.
DEFAULT_LABELS: dict[str, str] = {
    "person": "PERSON",
    "state": "GPE",
    "organisation": "ORG",
    "group": "NORP",
    "other": "LOC",
}

# Titles and honorifics that may precede a person's name; lookup strips them.
TITLES = (
    "president", "vice president", "prime minister", "deputy prime minister", "chancellor",
    "foreign minister", "defence minister", "defense minister", "minister", "secretary of state",
    "secretary general", "secretary-general", "secretary", "general", "senator", "governor",
    "king", "queen", "prince", "premier", "speaker", "ambassador", "commissioner",
    "mr", "mrs", "ms", "dr", "sir", "madam", "comrade",
)
_TITLE_PATTERN = re.compile(
    r"^(?:(?:former|then|late|current)\s+)?(?:" + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
    + r")\.?\s+",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
# Lower-case words that may join the titles before a name ("President of Russia Vladimir Putin").
_CONNECTORS = frozenset({"of", "the", "for", "and"})
_ID_PATTERN = re.compile(r"^[a-z]+:[a-z0-9_]+$")
_ENTRY_KEYS = frozenset(
    {"id", "name", "type", "label", "gender", "aliases", "metonyms", "demonyms", "titles", "case_sensitive", "code",
     "affiliation", "terms"}
)
_TERM_KEYS = frozenset({"title", "of", "from", "to"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ActorFileError(ValueError):
    """The actors file cannot be read or is inconsistent ("<file>: <problem>")."""


@dataclass(frozen=True, slots=True)
class Term:
    """A term of office: `title` (of the state or organisation `of`) held from `start` until before `end`.

    Dates are ISO strings ("2021-01-20"); a missing `end` means still in office,
    a missing `start` since an unknown date.
    """

    title: str
    of: str | None = None
    start: str | None = None
    end: str | None = None

    def covers(self, date: str) -> bool:
        """Whether the term includes `date` (an ISO date; only its first ten characters are read)."""
        day = date[:10]
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Actor:
    """One known actor of the catalog."""

    actor_id: str
    name: str
    type: str
    label: str
    gender: str | None = None
    aliases: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    # Role nouns a definite description may use for this actor ("the president").
    titles: tuple[str, ...] = ()
    case_sensitive: bool = False
    code: str | None = None
    # The actor id of the state or organisation this actor speaks for ("state:russia" for
    # its foreign minister); a claim held by the actor is then also held on its behalf.
    affiliation: str | None = None
    # (form, label) for forms whose NER label is not their list's default.
    form_labels: tuple[tuple[str, str], ...] = ()
    # Terms of office: who held which title when ("president" of "state:united_states" 2021-2025).
    terms: tuple[Term, ...] = ()

    def surface_forms(self) -> Iterator[tuple[str, str]]:
        """(form, NER label) for every form that names this actor in text.

        Labels: the name and aliases get the actor's label, metonyms GPE (a
        capital or seat is a place read as the actor), demonyms NORP, unless
        the file gives a form its own label.
        """
        overrides = dict(self.form_labels)
        lists = (((self.name, *self.aliases), self.label), (self.metonyms, "GPE"), (self.demonyms, "NORP"))
        for forms, default in lists:
            for form in forms:
                yield form, overrides.get(form, default)


@dataclass(frozen=True, slots=True)
class SurfaceForm:
    """A catalog form as the entity ruler matches it."""

    text: str
    actor_id: str
    label: str
    # Capitalised words must match in exactly this case (acronyms, case-sensitive actors).
    exact_case: bool


def normalise_form(text: str) -> str:
    """`text` with whitespace collapsed, curly apostrophes straightened and a possessive stripped."""
    text = unicodedata.normalize("NFC", text).replace("’", "'").replace("‘", "'")
    text = " ".join(text.split())
    return _POSSESSIVE.sub("", text).strip()


def is_acronym(text: str) -> bool:
    """True for forms without lowercase letters, such as "US", "U.S." or "NATO"."""
    return any(c.isalpha() for c in text) and not any(c.islower() for c in text)


def slugify(text: str) -> str:
    """ASCII snake_case slug of `text` ("Volodymyr Zelensky" -> "volodymyr_zelensky")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


@dataclass(frozen=True)
class ActorCatalog:
    """Known actors with lookup by id and by surface form; immutable and hashable.

    Equality and hash use the source path and a digest of the entries, so a
    catalog can key a cache.
    """

    path: str
    actors: tuple[Actor, ...]
    digest: str
    _by_id: MappingProxyType = field(repr=False, compare=False, hash=False)
    _exact: MappingProxyType = field(repr=False, compare=False, hash=False)
    _folded: MappingProxyType = field(repr=False, compare=False, hash=False)
    _speaker_folded: MappingProxyType = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_actors(cls, actors: tuple[Actor, ...], *, path: str = "<memory>") -> ActorCatalog:
        """Build and validate a catalog; raises `ActorFileError` naming `path` and the entry."""
        by_id: dict[str, Actor] = {}
        exact: dict[str, tuple[Actor, str]] = {}
        folded: dict[str, tuple[Actor, str]] = {}
        speaker_folded: dict[str, Actor] = {}
        owners: dict[str, tuple[Actor, str | None]] = {}  # folded form -> (actor, exact text or None)
        for number, actor in enumerate(actors, 1):
            where = f"{path}: actor entry {number} ({actor.actor_id})"
            if actor.actor_id in by_id:
                raise ActorFileError(f"{where}: duplicate actor id {actor.actor_id!r}")
            by_id[actor.actor_id] = actor
            for form, label in actor.surface_forms():
                key = normalise_form(form)
                if not key:
                    raise ActorFileError(f"{where}: empty surface form")
                for variant in dict.fromkeys((key, _LEADING_THE.sub("", key))):
                    exact_case = is_acronym(variant) or actor.case_sensitive
                    folded_key = variant.casefold()
                    owner = owners.get(folded_key)
                    if owner is not None and owner[0].actor_id != actor.actor_id:
                        # Two exact-case forms that differ in case ("US" vs "Us") do not collide.
                        if not (exact_case and owner[1] is not None and owner[1] != variant):
                            raise ActorFileError(
                                f"{where}: surface form {form!r} is already mapped to actor {owner[0].actor_id!r}"
                            )
                    owners.setdefault(folded_key, (actor, variant if exact_case else None))
                    if exact_case:
                        exact.setdefault(variant, (actor, label))
                    else:
                        folded.setdefault(folded_key, (actor, label))
                if actor.type == "person" and label == "PERSON":
                    speaker_folded.setdefault(key.casefold(), actor)
        for number, actor in enumerate(actors, 1):
            if actor.affiliation is not None and actor.affiliation not in by_id:
                raise ActorFileError(f"{path}: actor entry {number} ({actor.actor_id}): affiliation "
                                     f"{actor.affiliation!r} is not an actor id of this file")
            if actor.affiliation == actor.actor_id:
                raise ActorFileError(f"{path}: actor entry {number} ({actor.actor_id}): affiliation is the actor itself")
            for term in actor.terms:
                if term.of is not None and term.of not in by_id:
                    raise ActorFileError(f"{path}: actor entry {number} ({actor.actor_id}): term of {term.title!r}: "
                                         f"of {term.of!r} is not an actor id of this file")
        digest = hashlib.sha256(repr(actors).encode()).hexdigest()[:16]
        return cls(
            path=path,
            actors=tuple(actors),
            digest=digest,
            _by_id=MappingProxyType(by_id),
            _exact=MappingProxyType(exact),
            _folded=MappingProxyType(folded),
            _speaker_folded=MappingProxyType(speaker_folded),
        )

    def __len__(self) -> int:
        return len(self.actors)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id

    def get(self, actor_id: str) -> Actor | None:
        """The actor with id `actor_id`, or None."""
        return self._by_id.get(actor_id)

    def __getitem__(self, actor_id: str) -> Actor:
        try:
            return self._by_id[actor_id]
        except KeyError:
            raise KeyError(f"no actor {actor_id!r} in {self.path}") from None

    def match(self, text: str) -> tuple[Actor, str] | None:
        """(actor, NER label) for a surface form, or None.

        Applies the case rules, strips a possessive, a leading "the" and a leading
        title ("President Putin" -> Vladimir Putin).
        """
        key = normalise_form(text)
        candidates = [key, _LEADING_THE.sub("", key)]
        stripped = _TITLE_PATTERN.sub("", candidates[-1])
        if stripped != candidates[-1]:
            candidates.append(stripped)
        for candidate in candidates:
            # Case-insensitive forms match text in capitals too ("PUTIN"); acronyms of the
            # catalog sit only in the exact table, so "us" never finds "US".
            found = self._exact.get(candidate) or self._folded.get(candidate.casefold())
            if found is not None:
                return found
        return None

    def lookup(self, text: str) -> Actor | None:
        """The actor a surface form names, or None (see `match`)."""
        found = self.match(text)
        return found[0] if found else None

    def speaks_for(self, actor_id: str | None) -> tuple[str, ...]:
        """`actor_id` and the actors it speaks for, following affiliations ("person:sergei_lavrov"
        -> ("person:sergei_lavrov", "state:russia")); empty for None."""
        chain: list[str] = []
        while actor_id is not None and actor_id not in chain:
            chain.append(actor_id)
            actor = self._by_id.get(actor_id)
            actor_id = actor.affiliation if actor is not None else None
        return tuple(chain)

    def office_holders(self, title: str, date: str) -> tuple[tuple[Actor, Term], ...]:
        """(actor, term) for every actor whose term of `title` covers `date` (ISO), in file order."""
        title = " ".join(title.casefold().replace("-", " ").split())
        return tuple(
            (actor, term) for actor in self.actors for term in actor.terms
            if term.title == title and term.covers(date)
        )

    def named_institution(self, text: str | None) -> Actor | None:
        """The state or organisation a show or venue text names, trying its leading words
        ("The White House" -> the United States, "UN General Debate" -> the United Nations)."""
        if not text:
            return None
        words = re.findall(r"[\w’'.-]+", text)
        for size in range(len(words), 0, -1):
            actor = self.lookup(" ".join(words[:size]))
            if actor is not None and actor.type in {"state", "organisation"}:
                return actor
        return None

    def home(self, actor_ids: Iterable[str], *, date: str | None = None, show: str | None = None) -> frozenset[str]:
        """The actors a set of speakers stand for: themselves, their affiliations, the offices they
        hold on `date` (their terms' `of`), and the institution the `show` names."""
        home: set[str] = set()
        for actor_id in actor_ids:
            home.update(self.speaks_for(actor_id))
            actor = self._by_id.get(actor_id)
            if actor is not None and date:
                for term in actor.terms:
                    if term.of and term.covers(date):
                        home.update(self.speaks_for(term.of))
        institution = self.named_institution(show)
        if institution is not None:
            home.update(self.speaks_for(institution.actor_id))
        return frozenset(home)

    def type_of(self, actor_id: str) -> str | None:
        actor = self._by_id.get(actor_id)
        return actor.type if actor else None

    def gender_of(self, actor_id: str) -> str | None:
        actor = self._by_id.get(actor_id)
        return actor.gender if actor else None

    def surface_forms(self) -> Iterator[SurfaceForm]:
        """Every form of every actor, for the entity ruler."""
        for actor in self.actors:
            seen: set[str] = set()
            for form, label in actor.surface_forms():
                text = " ".join(form.split())
                if text in seen:
                    continue
                seen.add(text)
                yield SurfaceForm(text, actor.actor_id, label, exact_case=is_acronym(text) or actor.case_sensitive)

    def speaker_actor(self, name: str) -> tuple[str, str]:
        """(actor_id, canonical_name) for a speaker label.

        A label naming a catalog person (in any case: "TRUMP", "Donald Trump") maps
        to that actor, and so does a label naming any other catalog actor under the
        usual case rules (an institutional speaker: "EU", "Russian Federation"); any
        other label gets `person:<slug>` and the label itself as the name
        (title-cased when the label is all capitals).
        """
        clean = " ".join(name.split())
        key = normalise_form(clean)
        actor = self._speaker_folded.get(key.casefold())
        if actor is None:
            stripped = _TITLE_PATTERN.sub("", key)
            actor = self._speaker_folded.get(stripped.casefold())
        if actor is None and (found := self.match(clean)) is not None and found[1] != "NORP":
            actor = found[0]
        if actor is None:
            actor = self._titled_person(clean)
        if actor is not None:
            return actor.actor_id, actor.name
        canonical = clean.title() if is_acronym(clean) else clean
        slug = slugify(canonical)
        if not slug:
            slug = "speaker_" + hashlib.sha256(clean.encode()).hexdigest()[:8]
        return f"person:{slug}", canonical or slug

    def _titled_person(self, label: str) -> Actor | None:
        """The catalog person a titled label ends with: "President of Russia Vladimir Putin", "NATO
        Secretary General Mark Rutte" (a full name of two or more words after words that include a
        title, every one of them capitalised or a connector)."""
        words = label.split()
        for start in range(1, len(words) - 1):
            prefix, name = words[:start], " ".join(words[start:])
            actor = self._speaker_folded.get(normalise_form(name).casefold())
            if actor is None or actor.type != "person":
                continue
            bare = [word.rstrip(".").casefold() for word in prefix]
            if (any(word in TITLES for word in bare)
                    and all(word[0].isupper() or bare_word in _CONNECTORS for word, bare_word in zip(prefix, bare))):
                return actor
        return None


def _string_list(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ActorFileError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _form_list(entry: dict[str, Any], key: str, where: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Forms of a list whose items are strings or {form = "...", label = "..."} tables."""
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ActorFileError(f"{where}: {key!r} must be a list")
    forms, labels = [], []
    for item in value:
        if isinstance(item, dict):
            form, label = item.get("form"), item.get("label")
            if set(item) - {"form", "label"} or not isinstance(form, str) or label not in ENTITY_LABELS:
                raise ActorFileError(
                    f"{where}: items of {key!r} are strings or "
                    f"{{form = \"...\", label = \"<NER label>\"}}, got {item!r}"
                )
            labels.append((form.strip(), label))
        else:
            form = item
        if not isinstance(form, str) or not form.strip():
            raise ActorFileError(f"{where}: {key!r} must hold non-empty strings, got {item!r}")
        forms.append(form.strip())
    return tuple(forms), tuple(labels)


def _parse_entry(entry: Any, where: str) -> Actor:
    if not isinstance(entry, dict):
        raise ActorFileError(f"{where}: each [[actor]] must be a table")
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise ActorFileError(f"{where}: unknown keys {sorted(unknown)}")
    actor_id, name, actor_type = entry.get("id"), entry.get("name"), entry.get("type")
    if not isinstance(actor_id, str) or not _ID_PATTERN.match(actor_id):
        raise ActorFileError(f"{where}: id must look like 'type:snake_case', got {actor_id!r}")
    if not isinstance(name, str) or not name.strip():
        raise ActorFileError(f"{where} ({actor_id}): name must be a non-empty string")
    if actor_type not in ACTOR_TYPES:
        raise ActorFileError(f"{where} ({actor_id}): type must be one of {ACTOR_TYPES}, got {actor_type!r}")
    if actor_id.split(":", 1)[0] != actor_type:
        raise ActorFileError(f"{where}: id {actor_id!r} must start with its type {actor_type!r}")
    label = entry.get("label", DEFAULT_LABELS[actor_type])
    if label not in ENTITY_LABELS:
        raise ActorFileError(f"{where} ({actor_id}): label must be one of {ENTITY_LABELS}, got {label!r}")
    gender = entry.get("gender")
    if gender is not None and gender not in GENDERS:
        raise ActorFileError(f"{where} ({actor_id}): gender must be one of {GENDERS}, got {gender!r}")
    case_sensitive = entry.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise ActorFileError(f"{where} ({actor_id}): case_sensitive must be true or false")
    code = entry.get("code")
    if code is not None and not isinstance(code, str):
        raise ActorFileError(f"{where} ({actor_id}): code must be a string")
    affiliation = entry.get("affiliation")
    if affiliation is not None and (not isinstance(affiliation, str) or not _ID_PATTERN.match(affiliation)):
        raise ActorFileError(f"{where} ({actor_id}): affiliation must be an actor id like 'state:russia', "
                             f"got {affiliation!r}")
    titles = tuple(title.casefold() for title in _string_list(entry, "titles", where))
    terms = _terms(entry, f"{where} ({actor_id})")
    titles += tuple(dict.fromkeys(term.title for term in terms if term.title not in titles))
    aliases, alias_labels = _form_list(entry, "aliases", where)
    metonyms, metonym_labels = _form_list(entry, "metonyms", where)
    demonyms, demonym_labels = _form_list(entry, "demonyms", where)
    return Actor(
        actor_id=actor_id,
        name=" ".join(name.split()),
        type=actor_type,
        label=label,
        gender=gender,
        aliases=aliases,
        metonyms=metonyms,
        demonyms=demonyms,
        titles=titles,
        case_sensitive=case_sensitive,
        code=code,
        affiliation=affiliation,
        form_labels=alias_labels + metonym_labels + demonym_labels,
        terms=terms,
    )


def _terms(entry: dict[str, Any], where: str) -> tuple[Term, ...]:
    """The `terms` of an entry: tables {title = "...", of = "<actor id>", from = "YYYY-MM-DD", to = "YYYY-MM-DD"}."""
    value = entry.get("terms", [])
    if not isinstance(value, list):
        raise ActorFileError(f"{where}: 'terms' must be a list of tables")
    terms = []
    for number, item in enumerate(value, 1):
        here = f"{where}: term {number}"
        if not isinstance(item, dict):
            raise ActorFileError(f"{here}: must be a table like {{title = \"president\", from = \"2021-01-20\"}}")
        unknown = set(item) - _TERM_KEYS
        if unknown:
            raise ActorFileError(f"{here}: unknown keys {sorted(unknown)}")
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ActorFileError(f"{here}: title must be a non-empty string")
        of = item.get("of")
        if of is not None and (not isinstance(of, str) or not _ID_PATTERN.match(of)):
            raise ActorFileError(f"{here}: of must be an actor id like 'state:united_states', got {of!r}")
        dates = {}
        for key in ("from", "to"):
            date = item.get(key)
            if hasattr(date, "isoformat"):  # TOML dates load as datetime.date
                date = date.isoformat()
            if date is not None and (not isinstance(date, str) or not _DATE.match(date)):
                raise ActorFileError(f"{here}: {key!r} must be a date YYYY-MM-DD, got {date!r}")
            dates[key] = date
        if dates["from"] and dates["to"] and dates["to"] <= dates["from"]:
            raise ActorFileError(f"{here}: 'to' ({dates['to']}) is not after 'from' ({dates['from']})")
        terms.append(Term(" ".join(title.casefold().replace("-", " ").split()), of, dates["from"], dates["to"]))
    return tuple(terms)


def load_actor_catalog(path: str | Path) -> ActorCatalog:
    """Read and validate the actors file at `path`.

    Raises:
        ActorFileError: unreadable TOML, a malformed entry, a duplicate id, or a
            surface form mapped to two actors; the message names the file and entry.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ActorFileError(f"{path}: cannot read actors file: {error}") from error
    entries = data.get("actor", [])
    if not isinstance(entries, list):
        raise ActorFileError(f"{path}: expected [[actor]] tables")
    unknown = set(data) - {"actor"}
    if unknown:
        raise ActorFileError(f"{path}: unknown top-level keys {sorted(unknown)}")
    actors = tuple(_parse_entry(entry, f"{path}: actor entry {number}") for number, entry in enumerate(entries, 1))
    catalog = ActorCatalog.from_actors(actors, path=str(path))
    log.debug("loaded %d actors from %s", len(catalog), path)
    return catalog
