"""Build tests/org/directory_queries.json from the test city's own names; the expectations come
from the tables (grid cells, units, posts, rosters), not from the directory.

    python scripts/directory_queries.py <test-city.db> tests/org/directory_queries.json
"""

import json
import random
import sqlite3
import sys
from collections import Counter

from pypinyin import Style, lazy_pinyin

db = sqlite3.connect(sys.argv[1])
rows = db.execute("select code,name,level,parent_code from jurisdictions").fetchall()
P = {c: (n, lv, p) for c, n, lv, p in rows}
rng = random.Random(15)


def common(code):
    n, lv, _ = P[code]
    if lv == "village":
        if n.endswith("居民委员会"):
            s = n[:-5]
            return s if s.endswith("社区") else s + "社区"
        if n.endswith("村民委员会"):
            s = n[:-5]
            return s if s.endswith("村") else s + "村"
    return n


ETH = ["土家族", "布依族", "仡佬族", "毛南族", "侗族", "苗族", "彝族", "水族", "回族"]


def town_common(n):
    if n.endswith("乡") or n.endswith("自治县"):
        base = n
        changed = True
        while changed:
            changed = False
            for e in ETH:
                stem = base[:-1] if base.endswith("乡") else base[:-3]
                if stem.endswith(e):
                    base = stem[: -len(e)] + base[len(stem) :]
                    changed = True
        return base.replace("自治县", "县")
    return n


def bare(s):
    for suf in ["社区", "村", "街道", "镇", "乡", "县", "区"]:
        if s.endswith(suf) and len(s) - len(suf) >= 2:
            return s[: -len(suf)]
    return None


def py(s):
    return "".join(lazy_pinyin(s))


def ini(s):
    return "".join(lazy_pinyin(s, style=Style.FIRST_LETTER))


villages = sorted(c for c, (n, lv, p) in P.items() if lv == "village")
towns = sorted(c for c, (n, lv, p) in P.items() if lv == "town" and c[:6] in ("520602", "520603"))
counties = ["520602", "520603"]
vcommon = {c: common(c) for c in villages}
tcommon = {c: town_common(P[c][0]) for c in towns}
count_common = Counter(vcommon.values())
# every spoken form of every place above group level, to know which forms are unique
forms = Counter()
for c in villages:
    s = vcommon[c]
    forms.update({P[c][0], s})
    b = bare(s)
    forms.update([b] if b else [])
for c in towns + counties + ["5206"]:
    s = tcommon.get(c, P[c][0])
    forms.update({P[c][0], s})
    b = bare(s)
    forms.update([b] if b else [])
pyforms = Counter()
for c in villages:
    s = vcommon[c]
    pyforms.update({py(s), ini(s)})
    b = bare(s)
    if b:
        pyforms.update({py(b), ini(b)})
for c in towns + counties + ["5206"]:
    s = tcommon.get(c, P[c][0])
    pyforms.update({py(s), ini(s), py(P[c][0]), ini(P[c][0])})
    b = bare(s)
    if b:
        pyforms.update({py(b), ini(b)})


def grid_first(code):
    r = db.execute(
        "select a.role from grid_assignments a join grid_cells g on g.id=a.grid_cell_id"
        " where g.code=? order by a.role!='leader', a.id limit 1",
        (code,),
    ).fetchone()
    return r[0] if r else None


ROLE_ORDER = [
    "chief",
    "deputy",
    "director",
    "liaison",
    "duty_leader",
    "duty_officer",
    "info_officer",
    "member",
]


def unit_first(code, kinds, topic):
    q = f"select id from units where jurisdiction_code=? and kind in ({','.join('?' * len(kinds))})"
    args = [code, *kinds]
    if topic:
        q += " and topic=?"
        args.append(topic)
    ids = [r[0] for r in db.execute(q + " order by sort, id limit 3", args)]
    if not ids:
        return None
    roles = [
        r[0]
        for r in db.execute(f"select role from positions where unit_id in ({','.join('?' * len(ids))})", ids)
    ]
    roles.sort(key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99)
    return roles[0] if roles else None


def chain(code):
    return [code[:n] for n in (15, 12, 9, 6, 4, 2) if n <= len(code)]


def first_contact(code, topic):
    for c in chain(code):
        if c not in P:
            continue
        lv = P[c][1]
        if lv in ("group", "village"):
            g = grid_first(c)
            if g:
                return f"contact:{c}:grid_{g}"
        steps = []
        if lv == "village":
            steps = [(["service_station"], None)]
        elif lv == "town":
            steps = ([(["working_group"], topic)] if topic else []) + [
                (["emergency_committee", "committee_office"], None)
            ]
        elif lv in ("county", "city", "province"):
            steps = [(["special_hq"], topic)] if topic else [(["command_hq"], None)]
        for kinds, t in steps:
            r = unit_first(c, kinds, t)
            if r:
                return f"contact:{c}:{r}"
    return "none"


def duty_first(code):
    for c in chain(code):
        if db.execute("select 1 from duty_rosters where jurisdiction_code=? and active", (c,)).fetchone():
            return f"duty:{c}"
    return "duty:none"


TOPICS = [
    ("防汛", "flood_drought"),
    ("地灾", "geological"),
    ("森林防火", "forest_fire"),
    ("安全生产", "production_safety"),
    ("危化品", "hazardous_chemicals"),
    ("山洪", "flood_drought"),
    ("滑坡", "geological"),
    ("消防", "fire"),
    ("地震", "earthquake"),
    ("防溺水", "drowning"),
    ("暴雨", "meteorological"),
    ("救灾", "relief"),
]
out = []


def add(q, user, place, topic, first, kind):
    out.append({"q": q, "user": user, "kind": kind, "place": place, "topic": topic, "first": first})


def case(q, user, place, topic, kind, role=None):
    f = first_contact(place, topic) if place else None
    if role:
        f = f"contact:{place}:{role}"
    add(q, user, place, topic, f, kind)


uniq = [c for c in villages if count_common[vcommon[c]] == 1]
dups = sorted({vcommon[c] for c in villages if count_common[vcommon[c]] > 1})
pick = rng.sample(uniq, 60)
# legal names
for c in pick[:10]:
    t = rng.choice(TOPICS)
    case(f"{P[c][0]} {t[0]}", "duty", c, t[1], "legal")
# common names (with and without a space, with 谁负责)
for i, c in enumerate(pick[10:25]):
    t = rng.choice(TOPICS)
    sep = ["", " ", " 谁负责 "][i % 3]
    case(f"{vcommon[c]}{sep}{t[0]}", "duty", c, t[1], "common")
# bare names (北门, 茶园山): only where the bare name is no other place's form
n = 0
for c in pick[25:60]:
    b = bare(vcommon[c])
    if b and forms[b] == 1 and pyforms.get(py(b), 0) <= 1 and n < 8:
        t = rng.choice(TOPICS)
        case(f"{b} {t[0]}", "duty", c, t[1], "short")
        n += 1
# full pinyin of the common name
n = 0
for c in pick[30:60]:
    p = py(vcommon[c])
    if pyforms[p] == 1 and n < 10:
        t = rng.choice(TOPICS)
        case(f"{p} {t[0]}", "duty", c, t[1], "pinyin")
        n += 1
# initials
n = 0
for c in uniq:
    i = ini(vcommon[c])
    if len(i) >= 4 and pyforms[i] == 1 and forms[vcommon[c]] == 1 and n < 8 and rng.random() < 0.2:
        t = rng.choice(TOPICS)
        case(f"{i} {t[0]}", "duty", c, t[1], "initials")
        n += 1
# typos: a homophone of one character (the IME's mistake), and one character off in a 4+ name
HOMO = {
    "园": "圆",
    "山": "杉",
    "坪": "平",
    "坝": "霸",
    "湾": "弯",
    "溪": "西",
    "沟": "勾",
    "坡": "泼",
    "塘": "堂",
    "庄": "装",
    "桥": "乔",
    "龙": "隆",
    "田": "甜",
    "家": "加",
    "寨": "债",
    "口": "扣",
    "河": "和",
    "林": "临",
    "水": "税",
    "冲": "充",
    "岩": "言",
}
n = 0
for c in pick:
    s = vcommon[c]
    k = next((j for j, ch in enumerate(s[:-1]) if ch in HOMO), None)
    if k is not None and n < 8:
        typo = s[:k] + HOMO[s[k]] + s[k + 1 :]
        if typo not in forms and pyforms[py(s)] == 1:
            t = rng.choice(TOPICS)
            case(f"{typo}{t[0]}", "duty", c, t[1], "typo")
            n += 1
# towns: legal, common (乡 without the nationalities), bare, office, pinyin, initials — in turn
for i, c in enumerate(towns[:15]):
    n_, tc = P[c][0], tcommon[c]
    cands = [
        ("legal", n_),
        ("common", tc),
        ("bare", bare(tc)),
        ("office", n_[:-2] + "街道办事处" if n_.endswith("街道") else None),
        ("pinyin", py(tc)),
        ("initials", ini(tc) if len(ini(tc)) >= 3 else None),
        ("pinyin-bare", py(bare(tc) or "")),
    ]
    cands = [(k, f) for k, f in cands if f and (f == n_ or (pyforms[f] if f.isascii() else forms[f]) == 1)]
    for k, f in dict.fromkeys([cands[i % len(cands)], cands[(i + 3) % len(cands)]]):
        t = rng.choice(TOPICS)
        case(f"{f} {t[0]}", "duty", c, t[1], "town-" + k)
# counties
for q, c in [
    ("碧江区 防汛", "520602"),
    ("碧江 地灾", "520602"),
    ("万山区 森林防火", "520603"),
    ("bijiangqu 防汛", "520602"),
    ("铜仁市 防汛", "5206"),
]:
    case(q, "duty", c, dict(TOPICS)[q.split()[1]], "county")
# 万山 is 万山区 and its 万山镇: a choice
add(
    "万山 安全生产",
    "duty",
    None,
    "production_safety",
    "choose:"
    + ",".join(
        sorted(
            (c for c in towns + counties if bare(tcommon.get(c, P[c][0])) == "万山"),
            key=lambda c: (len(c), c),
        )
    ),
    "ambiguous-bare",
)
# ambiguous names: a choice, and the town (or the county) settles it
for s in dups[:5]:
    codes = sorted(c for c in villages if vcommon[c] == s)
    add(
        f"{s} 防汛",
        "duty",
        None,
        "flood_drought",
        "choose:" + ",".join(sorted(codes, key=lambda c: (len(c), c))),
        "ambiguous",
    )
    c = codes[0]
    tn = tcommon[P[c][2]]
    case(f"{tn} {s} 防汛", "duty", c, "flood_drought", "ambiguous-settled")
# shared spoken forms: initials or bare names of several places are a choice too
every = villages + towns


def spoken(c):
    s = vcommon.get(c) or tcommon.get(c) or P[c][0]
    b = bare(s)
    return {ini(s), py(s)} | ({b, ini(b), py(b)} if b else set())


shared = [f for f, k in sorted(pyforms.items()) if 2 <= k <= 3 and len(f) >= 3]
for f in rng.sample(shared, 12):
    codes = sorted((c for c in every if f in spoken(c)), key=lambda c: (len(c), c))
    if 2 <= len(codes) <= 3 and sum(o["kind"] == "ambiguous-pinyin" for o in out) < 4:
        add(f"{f} 防汛", "duty", None, "flood_drought", "choose:" + ",".join(codes), "ambiguous-pinyin")
for f in ["和平"]:
    codes = sorted((c for c in every if f in spoken(c)), key=lambda c: (len(c), c))
    add(f"{f} 防汛", "duty", None, "flood_drought", "choose:" + ",".join(codes), "ambiguous-bare")
# groups within their village
groups = sorted(c for c, (n, lv, p) in P.items() if lv == "group")
for c in rng.sample(groups, 6):
    v = P[c][2]
    case(f"{vcommon[v]}{P[c][0]}", "duty", c, None, "group")
# topics alone: the city for a city user, the town's own chain for a town officer
for w, t in TOPICS[:8]:
    case(f"{w}谁负责", "duty", "5206", t, "topic")
for w, t in TOPICS[:6]:
    case(w, "town", "520602002", t, "topic-town")
# 值班
for q, user, c in [
    ("值班", "duty", "5206"),
    ("谁在值班", "duty", "5206"),
    ("谁在值班", "town", "520602002"),
    ("碧江区 值班", "duty", "520602"),
    ("万山区 谁在值班", "duty", "520603"),
    ("环北街道 值班", "duty", "520602002"),
    ("北门社区 谁在值班", "duty", "520602002001"),
    ("值班电话", "gridworker", "520602002001001"),
]:
    add(q, user, c, None, duty_first(c), "duty")
# role words
for c in pick[:3]:
    w = db.execute(
        "select jurisdiction_code from grid_assignments where jurisdiction_code like ? and role='worker'"
        " order by jurisdiction_code, id limit 1",
        (c + "%",),
    ).fetchone()
    add(f"{vcommon[c]} 网格员", "duty", c, None, f"contact:{w[0]}:grid_worker", "role")
# not recognised: said so, never the city HQ
for q in ["火星村 防汛", "纳尼亚镇 地灾", "xyzq 森林防火"]:
    add(q, "duty", None, None, "unknown", "unknown")
# outside a town officer's own town
for c in [x for x in pick if not x.startswith("520602002")][:3]:
    add(f"{vcommon[c]} 防汛", "town", None, "flood_drought", f"outside:{c}", "outside")
ABOUT = (
    "Real-style queries built from the test city's own names (counties 520602 碧江区, 520603 万山区 of "
    "the demo, seed 2026) with the expected first answer: contact:<place>:<role> (the first contact), "
    "duty:<place> (the nearest duty desk), choose:<codes>, outside:<codes>, unknown. Expectations come "
    "from the tables (grid cells, units, posts, rosters), not from the directory. Regenerate with "
    "scripts/directory_queries.py."
)
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    json.dump({"about": ABOUT, "queries": out}, fh, ensure_ascii=False, indent=1)
print(len(out), Counter(o["kind"] for o in out))
