"""The results check in plain words, per language (the reasons of views/results.py)."""
from __future__ import annotations

from .i18n import N_, translations

STATUS = {
    "matches": N_("The announced selection follows from the votes and the declared rule."),
    "mismatch": N_("The announced selection does not follow from the votes and the declared "
                   "rule: see the projects marked below."),
    "computed": N_("The data does not say which projects were selected: the selection shown "
                   "is computed from the votes with the declared rule."),
    "announced": N_("The declared rule cannot be recomputed from the published data (it needs "
                    "every ballot): the selection is shown as announced."),
}
RULES = {
    "greedy": N_("Greedy: projects by votes, most first; each is selected if it fits what is "
                 "left of the budget."),
    "assembly": N_("Parish assembly: a project needs more votes for than against in round 2, "
                   "and the funded projects must fit the parish's envelope."),
}
VOTE_TYPES = {
    "approval": N_("Approval: each voter chooses several projects."),
    "ordinal": N_("Ordinal: each voter ranks projects."),
    "cumulative": N_("Cumulative: each voter shares points among projects."),
    "choose-1": N_("Single choice: each voter chooses one project."),
}


def explain(row, lang: str, fmt) -> str:
    """Why the rule selects this project or not: '206 votes; costs €50,000, which fits...'."""
    t = translations(lang)
    _, ngettext = t.gettext, t.ngettext
    code, v = row.reason
    parts = []
    if "yes" in v:
        parts.append(_("round 2: %(yes)s for, %(no)s against") % {
            "yes": fmt.number(v["yes"]), "no": fmt.number(v["no"])})
    elif v.get("by_score"):
        parts.append(_("score %(n)s") % {"n": fmt.number(v["score"])})
    elif v.get("votes") is not None:
        parts.append(ngettext("%(n)s vote", "%(n)s votes", v["votes"]) % {
            "n": fmt.number(v["votes"])})
    money = {k: fmt.money(v[k], False) for k in ("cost", "left", "envelope") if v.get(k)}
    n = v.get("before", 0)
    if code == "fits" and not n:
        parts.append(_("costs %(cost)s, within the budget of %(left)s") % money)
    elif code == "fits":
        parts.append(ngettext(
            "costs %(cost)s, which fits the %(left)s left after the %(n)s project selected "
            "before it",
            "costs %(cost)s, which fits the %(left)s left after the %(n)s projects selected "
            "before it", n) % {**money, "n": fmt.number(n)})
    elif code == "too_expensive" and not n:
        parts.append(_("costs %(cost)s, more than the whole budget of %(left)s") % money)
    elif code == "too_expensive":
        parts.append(ngettext(
            "costs %(cost)s, more than the %(left)s left after the %(n)s project selected "
            "before it",
            "costs %(cost)s, more than the %(left)s left after the %(n)s projects selected "
            "before it", n) % {**money, "n": fmt.number(n)})
    elif code == "not_recomputed":
        parts.append(_("not recomputed"))
    elif code == "no_round_2":
        parts.append(_("not voted in the round-2 parish assembly"))
    elif code == "no_majority":
        parts.append(_("no majority"))
    elif code == "majority_fits":
        parts.append(_("funded within the envelope of %(envelope)s") % money
                     if "envelope" in money else _("funded"))
    elif code == "over_envelope":
        parts.append(_("but the funded projects exceed the envelope of %(envelope)s") % money)
    elif code == "majority_too_expensive":
        parts.append(_("costs %(cost)s, more than the %(left)s the funded projects leave") % money)
    elif code == "majority_left_out":
        parts.append(_("costs %(cost)s and fits in the %(left)s the funded projects leave, "
                       "but was not funded") % money)
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def mismatch(row, lang: str) -> str:
    _ = translations(lang).gettext
    if not row.mismatch:
        return ""
    if row.announced:
        return _("Announced as selected, but the rule would not select it.")
    return _("Not announced as selected, but the rule would select it.")


def words(table: dict, key: str, lang: str) -> str:
    return translations(lang).gettext(table[key]) if key in table else key
