#!/usr/bin/python3
"""An attacker against utfall's disclosure control (--suppress N).

For K random synthetic extracts (fixed seeds) it runs summary, goal (by kon,
by enhet), split, hours and report, each as one run with --suppress 5, and
for every output builds a linear model of the microdata it cannot see: one
nonnegative variable per combination of the attributes the output's counts
mention.  Every published count is an equality, every published share a
(tight) two-sided inequality, meta.rows_used is the total, a published
sign_p_value narrows the hidden counts it comes from (by enumeration).
Then, for every hidden count
and for every small complement a row implies (n - reached, enrolled -
persons, ...), it computes the range by LP (HiGHS) and, when that range
holds at most two integers, by MILP.  A range with a single integer is a
success for the attacker, and makes this test fail.

The attacker is written from the man pages and the JSON outputs only; see
README.md beside this file for its model.  It knows the true data only to
check itself: every published count must equal the true count under its
mapping (a mismatch is reported as a mapping error), and every assumption it
adds must hold for the truth.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.stats import binomtest

SUPPRESS = 5
OUTCOMES = ['arbete', 'studier', 'arbetssokande', 'vard', 'flytt', 'annat', 'avbrott',
            'arbete_med_stod']
OUTCOME_WEIGHTS = [30, 10, 12, 10, 5, 8, 10, 5]
SUCCESS = ('arbete', 'arbete_med_stod', 'studier')   # goal's and report's default
UNIT_NAMES = ['Norr', 'Syd', 'Ost']
SEEDS = [101, 202, 303, 404, 505, 606, 707, 808, 909, 1010, 1111, 1212]

# (first overall, first within age band, first within unit); first overall
# implies first within every group, and a person's gender never changes, so
# first within gender is first overall.
FLAGS = [(1, 1, 1), (0, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 1)]
ATTRS = ['kon', 'age', 'enhet', 'year', 'state', 'hours', 'flag', 'fore', 'efter']
# income sources (utfall-extract(5), INCOME VOCABULARY), written with --income:
# at enrolment (aktivitetsersattning common) and at exit (exited episodes only)
INCOME = ['aktivitetsersattning', 'sjukersattning', 'sjukpenning', 'forsorjningsstod', 'a_kassa',
          'aktivitetsstod', 'lon', 'studiemedel', 'ingen', 'annan']
INCOME_FORE_WEIGHTS = [55, 6, 2, 12, 2, 8, 3, 2, 2, 3]
INCOME_EFTER_WEIGHTS = [25, 6, 3, 8, 5, 12, 20, 8, 4, 5]
AE = 'aktivitetsersattning'
ACTIVE = 'active'


def exited_state(o):
    return 'x:' + o


def age_band(age):
    if age < 16:
        return '<16'
    if age <= 19:
        return '16-19'
    if age <= 24:
        return '20-24'
    if age <= 29:
        return '25-29'
    return '30+'


# ---------------------------------------------------------------- extracts

def rand_date(rng, lo, hi):
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def gen_extract(seed, income=False):
    """Rows (dicts of the CSV columns) of one synthetic extract; with INCOME
    also the income sources, from a generator of their own, so that the other
    columns are the same with and without them."""
    rng = random.Random(seed)
    nrows = rng.randint(10, 60)
    units = UNIT_NAMES[:rng.randint(1, 3)]
    rows = []
    pid = 0
    while len(rows) < nrows:
        pid += 1
        ident = 'P%04d' % pid
        kon = rng.choices(['k', 'm', ''], [47, 47, 6])[0]
        unit = rng.choice(units)
        twice = len(rows) <= nrows - 2 and rng.random() < 0.18
        if twice:
            s1 = rand_date(rng, dt.date(2018, 1, 1), dt.date(2020, 9, 30))
            e1 = s1 + dt.timedelta(days=rng.randint(20, 300))
            s2 = e1 + dt.timedelta(days=rng.randint(1, 200))
            if s2 > dt.date(2021, 12, 31):
                s2 = dt.date(2021, 12, 31)
            unit2 = unit if rng.random() < 0.75 else rng.choice(units)
            eps = [[s1, e1, unit], [s2, None, unit2]]
        else:
            eps = [[rand_date(rng, dt.date(2018, 1, 1), dt.date(2021, 12, 31)), None, unit]]
        span = eps[-1][0].year - eps[0][0].year
        age = rng.randint(18, 29 - span)
        born = eps[0][0].year - age
        for i, ep in enumerate(eps):
            s, e, u = ep
            last = i == len(eps) - 1
            if last and rng.random() < 0.3:
                e = None
            elif e is None:
                e = s + dt.timedelta(days=rng.randint(14, 600))
            if e is not None:
                out = rng.choices(OUTCOMES + [''], OUTCOME_WEIGHTS + [3])[0]
            else:
                out = ''
            fore = None if rng.random() < 0.08 else rng.choice([rng.randint(0, 30), rng.randint(0, 30) + 0.5])
            r = rng.random()
            if rng.random() < 0.15:
                efter = None
            elif fore is None:
                efter = rng.randint(0, 40)
            elif r < 0.2:
                efter = fore
            elif r < 0.75:
                efter = fore + rng.randint(1, 20)
            else:
                efter = max(0, fore - rng.randint(1, 15))
                if efter == fore:
                    efter = fore + 1
            rows.append({
                'id': ident, 'kon': kon, 'fodelsear': str(born), 'enhet': u,
                'inskriven': s.isoformat(), 'avslutad': e.isoformat() if e else '',
                'avslutsorsak': out,
                'timmar_fore': '' if fore is None else ('%g' % fore),
                'timmar_efter': '' if efter is None else ('%g' % efter),
            })
    if income:
        irng = random.Random(seed * 7919 + 17)
        for r in rows:
            fore = '' if irng.random() < 0.08 else irng.choices(INCOME, INCOME_FORE_WEIGHTS)[0]
            if not r['avslutad'] or irng.random() < 0.12:
                efter = ''        # the source at exit: only for the exited, sometimes not stated
            elif fore == AE and irng.random() < 0.35:
                efter = AE        # kept it
            else:
                efter = irng.choices(INCOME, INCOME_EFTER_WEIGHTS)[0]
            r['forsorjning_fore'], r['forsorjning_efter'] = fore, efter
    return rows


COLUMNS = ['id', 'kon', 'fodelsear', 'enhet', 'inskriven', 'avslutad', 'avslutsorsak',
           'timmar_fore', 'timmar_efter']
INCOME_COLUMNS = ['forsorjning_fore', 'forsorjning_efter']


def write_extract(rows, path):
    cols = COLUMNS + [c for c in INCOME_COLUMNS if rows and c in rows[0]]
    with open(path, 'w', encoding='utf-8') as f:
        f.write(','.join(cols) + '\n')
        for r in rows:
            f.write(','.join(r[c] for c in cols) + '\n')


def read_extract(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    head = lines[0].split(',')
    return [dict(zip(head, ln.split(','))) for ln in lines[1:] if ln.strip()]


def microdata(rows):
    """One dict of model attributes per episode (the truth)."""
    eps = []
    for i, r in enumerate(rows):
        s = dt.date.fromisoformat(r['inskriven'])
        age = s.year - int(r['fodelsear'])
        if r['avslutad']:
            state = exited_state(r['avslutsorsak'])
        else:
            state = ACTIVE
        if r['timmar_fore'] == '' or r['timmar_efter'] == '':
            hours = 'miss'
        else:
            d = round(float(r['timmar_efter']) - float(r['timmar_fore']), 9)
            hours = 'inc' if d > 0 else ('dec' if d < 0 else 'unch')
        eps.append({'id': r['id'], 'order': (s, i), 'kon': r['kon'], 'age': age_band(age),
                    'enhet': r['enhet'], 'year': str(s.year), 'state': state, 'hours': hours,
                    'fore': r.get('forsorjning_fore', ''), 'efter': r.get('forsorjning_efter', '')})
    byid = {}
    for e in sorted(eps, key=lambda e: e['order']):
        seen = byid.setdefault(e['id'], {'any': False, 'age': set(), 'enhet': set()})
        fa = 0 if seen['any'] else 1
        fage = 0 if e['age'] in seen['age'] else 1
        fenh = 0 if e['enhet'] in seen['enhet'] else 1
        seen['any'] = True
        seen['age'].add(e['age'])
        seen['enhet'].add(e['enhet'])
        e['flag'] = FLAGS.index((fa, fage, fenh))
    return eps


# ------------------------------------------------------- cells of an output

def flag_set(pred):
    return frozenset(i for i, f in enumerate(FLAGS) if pred(f))


ALL_EXITED = 'ALL_EXITED'  # marker in a definition, expanded by the model


class Cell:
    """One count of an output: where it is, what it counts, its value."""

    def __init__(self, table, row, col, group, definition, value, sensitive):
        self.table, self.row, self.col, self.group = table, row, col, group
        self.definition = definition          # attr -> frozenset of values (a conjunction)
        self.value = value                    # int, or None when hidden
        self.sensitive = sensitive            # False in a row whose group is not stated

    def where(self):
        g = ', '.join('%s=%s' % (k, '""' if v in (None, '') else v) for k, v in self.group.items())
        return '%s[%d]{%s}.%s' % (self.table, self.row, g, self.col)


def not_stated(v):
    return v is None or v == ''


def group_conditions(group, with_outcome=True):
    d = {}
    for k, v in group.items():
        v = '' if v is None else str(v)
        if k == 'kon':
            d['kon'] = frozenset([v])
        elif k == 'aldersgrupp':
            d['age'] = frozenset([v])
        elif k == 'enhet':
            d['enhet'] = frozenset([v])
        elif k in ('period', 'inskriven_ar'):
            d['year'] = frozenset([v])
        elif k == 'forsorjning_fore':
            d['fore'] = frozenset([v])
        elif k == 'avslutsorsak':
            if with_outcome:
                d['state'] = frozenset([exited_state(v)])
        else:
            raise ValueError('unknown group key %r' % k)
    return d


def group_conditions_keys(group):
    """(model attribute, value) of a row's group."""
    names = {'kon': 'kon', 'aldersgrupp': 'age', 'enhet': 'enhet', 'period': 'year',
             'inskriven_ar': 'year', 'forsorjning_fore': 'fore', 'avslutsorsak': 'state'}
    return [(names[k], v) for k, v in group.items()]


def conj(a, b):
    d = dict(a)
    for k, v in b.items():
        if k not in d or d[k] == ALL_EXITED:
            d[k] = v
        elif v != ALL_EXITED:
            if isinstance(d[k], tuple) or isinstance(v, tuple):
                raise ValueError('cannot intersect %r and %r' % (d[k], v))
            d[k] = d[k] & v
    return d


def table_kind(prog, name):
    """The kind of a table of an output: which man page defines its counts."""
    if prog == 'summary' or name.startswith('deltagare_'):
        base = name[len('deltagare_'):] if name.startswith('deltagare_') else name
        if base == 'rows' or base.startswith('by_'):
            return 'participants'
        if base == 'outcomes':
            return 'outcomes'
        if base == 'days':
            return 'days'
        if base == 'enrolments':
            return 'enrolments'
        return None
    if name == 'avslut_outcomes':
        return 'outcomes'
    if prog == 'report' and name == 'ar_rows':
        return 'years'
    if prog == 'report' and name == 'forsorjning_crosstab':
        return 'income_crosstab'
    if prog == 'report' and name == 'forsorjning_left':
        return 'income_left'
    if prog == 'goal' and name == 'rows' or name.startswith('mal_') and name.endswith('_rows'):
        return 'goal'
    if prog == 'split' and name == 'rows' or name.startswith('avslut_') and name.endswith('_rows'):
        return 'split'
    if prog == 'hours' and name == 'rows' or name.startswith('aktivitet_') and name.endswith('_rows'):
        return 'hours'
    if name.endswith('tests') or name == 'tests':
        return 'tests'
    return None


# derived (non-count) figures, and the counts of their row they are computed from
DERIVED = {
    'participants': {'share': ['enrolled']},
    'outcomes': {'share': ['count']},
    'days': {'mean_days': ['n'], 'median_days': ['n']},
    'goal': {c: ['n', 'reached'] for c in ['share', 'ci_low', 'ci_high', 'p_value', 'needed', 'met']},
    'split': {'share': ['count', 'n']},
    'years': {'share': ['exited', 'reached']},
    'income_left': {c: ['n', 'left'] for c in ['share', 'ci_low', 'ci_high']},
    'hours': dict({c: ['n'] for c in ['mean_change', 'sd_change', 'ci_low', 'ci_high',
                                       'median_change', 'q1', 'q3', 't_p_value',
                                       'wilcoxon_p_value']},
                  sign_p_value=['increased', 'decreased']),
}


def parse_output(prog, doc):
    """Cells, shares (num, den, value), complements and derived-figure notes."""
    cells, shares, comps, notes, pvalues = [], [], [], [], []
    exited = {'state': ALL_EXITED}
    active = {'state': frozenset([ACTIVE])}
    success = {'state': frozenset(exited_state(o) for o in SUCCESS)}
    hours_n = {'hours': frozenset(['inc', 'unch', 'dec'])}

    def add(table, i, col, group, definition, row, sensitive):
        v = row.get(col)
        if col not in row:
            return None
        if v is not None and not isinstance(v, int):
            raise ValueError('%s[%d].%s is not a count: %r' % (table, i, col, v))
        c = Cell(table, i, col, group, definition, v, sensitive)
        cells.append(c)
        return c

    def add_reached(table, i, comp, group, g, row, sensitive):
        """reached = the exited of the row who reached the success set; its
        complement among the exited; share = reached / exited."""
        add(table, i, 'reached', group, conj(g, success), row, sensitive)
        comps.append((table, i, comp, group,
                      conj(g, {'state': ('NOT', success['state'])}), sensitive))
        if row.get('share') is not None:
            shares.append((conj(g, success), conj(g, exited), row['share']))

    meta = doc.get('meta')
    if meta is not None:
        cells.append(Cell('meta', 0, 'rows_used', {}, {}, meta['rows_used'], False))
    for k, par in enumerate(doc.get('rapport', [])):
        # the report's title block: "Extract: X; rows read: N, used: N, rejected: N."
        hit = re.search(r'rows read: (\d+), used: (\d+)', par.get('text', ''))
        if hit:
            cells.append(Cell('meta', k, 'rapport "used"', {}, {}, int(hit.group(2)), False))
    for name, table in doc.items():
        kind = table_kind(prog, name)
        if kind is None:
            continue
        rows = table if isinstance(table, list) else [table]
        if kind == 'tests':
            # a test published beside hidden counts of its table
            src = name[:-len('tests')] + 'rows' if name != 'tests' else 'rows'
            hidden = [r for r in doc.get(src, []) if r.get('count', 0) is None
                      and not any(not_stated(v) for k, v in r['group'].items() if k != 'avslutsorsak')]
            shown = [k for k, v in table.items() if k != 'suppressed' and v is not None]
            if hidden and shown:
                notes.append('%s: %s published while %d counts of %s are hidden'
                             % (name, ','.join(shown), len(hidden), src))
            continue
        total = next((r for r in rows if r.get('group') == {}), {})
        den = {'participants': 'enrolled', 'outcomes': 'count'}.get(kind)
        for i, row in enumerate(rows):
            if den and row.get('group') and row.get('share') is not None and total.get(den, 0) is None:
                notes.append('%s[%d]%s: share = %r published while the total row\'s %s is hidden'
                             % (name, i, json.dumps(row['group'], ensure_ascii=False), row['share'], den))
            group = row.get('group', {})
            sensitive = not any(not_stated(v) for v in group.values())
            g = group_conditions(group)
            if kind == 'participants':
                keys = [k for k in group]
                flagdef = {}
                if not keys or keys == ['kon']:
                    flagdef = {'flag': flag_set(lambda f: f[0] == 1)}
                elif keys == ['aldersgrupp']:
                    flagdef = {'flag': flag_set(lambda f: f[1] == 1)}
                elif keys == ['enhet']:
                    flagdef = {'flag': flag_set(lambda f: f[2] == 1)}
                else:
                    raise ValueError('participants table grouped by %r' % keys)
                en = add(name, i, 'enrolled', group, g, row, sensitive)
                pe = add(name, i, 'persons', group, conj(g, flagdef), row, sensitive)
                add(name, i, 'active', group, conj(g, active), row, sensitive)
                add(name, i, 'exited', group, conj(g, exited), row, sensitive)
                if en is not None and pe is not None and group:
                    nf = {'flag': frozenset(range(len(FLAGS))) - flagdef['flag']}
                    comps.append((name, i, 'enrolled-persons', group, conj(g, nf), sensitive))
                if 'share' in row and row['share'] is not None:
                    shares.append((g, {}, row['share']))
            elif kind == 'outcomes':
                add(name, i, 'count', group, conj(g, exited), row, sensitive)
                if group:
                    o = frozenset([exited_state('' if group['avslutsorsak'] is None else group['avslutsorsak'])])
                    comps.append((name, i, 'exited-count', group,
                                  {'state': ('NOT', o)}, sensitive))
                if row.get('share') is not None:
                    shares.append((conj(g, exited), exited, row['share']))
            elif kind == 'days':
                add(name, i, 'n', group, exited, row, False)
            elif kind == 'enrolments':
                add(name, i, 'enrolled', group, g, row, sensitive)
            elif kind == 'goal':
                add(name, i, 'n', group, conj(g, exited), row, sensitive)
                add_reached(name, i, 'n-reached', group, g, row, sensitive)
                add(name, i, 'excluded', group, conj(g, active), row, sensitive)
            elif kind == 'years':
                # utfall-report(1), Resultat per inskrivningsår: per year of
                # enrolment, enrolled, still active, exited, and of the exited
                # those who reached the main goal (the default goal), with the share
                add(name, i, 'enrolled', group, g, row, sensitive)
                add(name, i, 'active', group, conj(g, active), row, sensitive)
                add(name, i, 'exited', group, conj(g, exited), row, sensitive)
                add_reached(name, i, 'exited-reached', group, g, row, sensitive)
            elif kind == 'income_crosstab':
                # source at enrolment (the group) by source at exit (efter_<source>,
                # efter_saknas = not stated), among the exited; n = the row's exited
                nd = add(name, i, 'n', group, conj(g, exited), row, sensitive)
                for col in row:
                    if not col.startswith('efter_'):
                        continue
                    src = col[len('efter_'):]
                    src = '' if src == 'saknas' else src
                    add(name, i, col, group, conj(g, conj(exited, {'efter': frozenset([src])})), row,
                        sensitive)
                    comps.append((name, i, 'n-' + col, group,
                                  conj(g, conj(exited, {'efter': ('NOT', frozenset([src]))})), sensitive))
            elif kind == 'income_left':
                # the exited with aktivitetsersattning at enrolment (n): with another
                # known source at exit (left), with it at exit (stayed), not stated (unknown)
                ae = conj(g, conj(exited, {'fore': frozenset([AE])}))
                add(name, i, 'n', group, ae, row, sensitive)
                for col, ef in (('left', ('NOT', frozenset([AE, '']))), ('stayed', frozenset([AE])),
                                ('unknown', frozenset(['']))):
                    add(name, i, col, group, conj(ae, {'efter': ef}), row, sensitive)
                    rest = ef[1] if isinstance(ef, tuple) else ('NOT', ef)
                    comps.append((name, i, 'n-' + col, group, conj(ae, {'efter': rest}), sensitive))
                if row.get('share') is not None:
                    shares.append((conj(ae, {'efter': ('NOT', frozenset([AE, '']))}), ae, row['share']))
            elif kind == 'split':
                gb = group_conditions(group, with_outcome=False)
                add(name, i, 'count', group, conj(g, exited), row, sensitive)
                add(name, i, 'n', group, conj(gb, exited), row, sensitive)
                o = frozenset([exited_state('' if group['avslutsorsak'] is None else group['avslutsorsak'])])
                comps.append((name, i, 'n-count', group, conj(gb, {'state': ('NOT', o)}), sensitive))
                if row.get('share') is not None:
                    shares.append((conj(g, exited), conj(gb, exited), row['share']))
            elif kind == 'hours':
                add(name, i, 'n', group, conj(g, hours_n), row, sensitive)
                add(name, i, 'missing', group, conj(g, {'hours': frozenset(['miss'])}), row, sensitive)
                for col, h in (('increased', 'inc'), ('unchanged', 'unch'), ('decreased', 'dec')):
                    add(name, i, col, group, conj(g, {'hours': frozenset([h])}), row, sensitive)
                    comps.append((name, i, 'n-' + col, group,
                                  conj(g, {'hours': hours_n['hours'] - {h}}), sensitive))
                if row.get('sign_p_value') is not None and (row.get('increased', 0) is None
                                                            or row.get('decreased', 0) is None):
                    pvalues.append(('%s[%d]%s' % (name, i, json.dumps(group, ensure_ascii=False)),
                                    conj(g, {'hours': frozenset(['inc'])}),
                                    conj(g, {'hours': frozenset(['dec'])}), row['sign_p_value']))
            # derived figures published beside a hidden count they come from
            for col, deps in DERIVED.get(kind, {}).items():
                if row.get(col) is not None and any(d in row and row[d] is None for d in deps):
                    notes.append('%s[%d]%s: %s = %r published while %s is hidden'
                                 % (name, i, json.dumps(group, ensure_ascii=False), col, row[col],
                                    '/'.join(d for d in deps if row.get(d, 0) is None)))
    return cells, shares, comps, notes, pvalues


# ------------------------------------------------------------------ model

class Table:
    """A contingency table over some attributes, one variable per combination,
    at OFFSET in the LP's variable vector."""

    def __init__(self, attrs, dom, offset):
        self.attrs, self.offset = attrs, offset
        shape = [len(dom[a]) for a in attrs]
        self.n = int(np.prod(shape)) if shape else 1
        grids = np.indices(shape).reshape(len(shape), -1) if shape else np.zeros((0, 1), int)
        self.col = {a: grids[k] for k, a in enumerate(attrs)}
        self.shape = shape

    def flat(self, cols):
        """Index in this table of combinations given as index arrays per attribute."""
        if not self.attrs:
            return np.zeros(len(next(iter(cols.values()))), dtype=np.int64)
        return np.ravel_multi_index([cols[a] for a in self.attrs], self.shape)


def triangulate(sets, attrs, dom):
    """The cliques of a chordal graph containing the graph in which two
    attributes are joined when some set holds both (greedy elimination,
    smallest table first).  Every set lies within one of them, and they
    form a junction tree."""
    nb = {a: set() for a in attrs}
    for t in sets:
        for a in t:
            nb[a] |= set(t) - {a}
    left = set(attrs)
    cliques = []
    while left:
        def cost(a):
            return int(np.prod([len(dom[b]) for b in nb[a] | {a}]))
        a = min(sorted(left), key=cost)
        c = nb[a] | {a}
        cliques.append(frozenset(c))
        for b in nb[a]:
            nb[b] |= nb[a] - {b}
            nb[b].discard(a)
        left.discard(a)
        del nb[a]
    return cliques


def junction_tree(cliques):
    """Edges (i, j, separator) of a junction tree of CLIQUES (sets), found by
    removing leaves (Graham's reduction), or None when the hypergraph is cyclic."""
    alive = list(range(len(cliques)))
    edges = []
    while len(alive) > 1:
        for i in alive:
            others = [j for j in alive if j != i]
            rest = frozenset().union(*[cliques[j] for j in others])
            sep = cliques[i] & rest
            host = next((j for j in others if sep <= cliques[j]), None)
            if host is not None:
                edges.append((i, host, sep))
                alive.remove(i)
                break
        else:
            return None
    return edges


class Model:
    """The microdata the attacker cannot see, as the full table of an output's
    attributes, plus margin tables (sums of the full one, defined by equality
    constraints) so that each count touches few variables.  The margins are a
    reformulation only: the feasible set of the full table is unchanged."""

    def __init__(self, attrs, eps):
        self.attrs = attrs
        self.dom = {}
        for a in attrs:
            if a == 'flag':
                self.dom[a] = list(range(len(FLAGS)))
            else:
                self.dom[a] = sorted({e[a] for e in eps})
        self.index = {a: {v: j for j, v in enumerate(self.dom[a])} for a in attrs}
        self.exited = frozenset(v for v in self.dom.get('state', []) if v != ACTIVE)
        self.eps = eps

    def build(self, defs, full=False):
        """Variables for DEFS.  When the maximal attribute sets of DEFS form
        a junction tree (an acyclic hypergraph), one table per maximal set,
        neighbours made to agree on their common attributes: for nonnegative
        reals and for nonnegative integers alike, tables that agree along a
        junction tree are the margins of some full table, so the ranges are
        those of the full table.  Otherwise (or with FULL) the full table,
        with the maximal sets as margin tables defined by equalities."""
        sets = {frozenset(d) for d in defs}
        if not full:
            sets |= set(triangulate(sets, self.attrs, self.dom))
        maximal = [t for t in sets if not any(t < u for u in sets)]
        maximal.sort(key=lambda t: sorted(t))
        edges = None if full else junction_tree(maximal)
        cols_e = {a: np.array([self.index[a][e[a]] for e in self.eps], dtype=np.int64)
                  for a in self.attrs}
        ones = np.ones(len(self.eps))
        rows, cols, vals = [], [], []
        r0 = 0
        if edges is not None:
            self.mode = 'junction tree'
            self.tables = []
            off = 0
            for t in maximal:
                tab = Table([a for a in self.attrs if a in t], self.dom, off)
                off += tab.n
                self.tables.append(tab)
            self.n = off
            for i, j, sep in edges:
                a, b = self.tables[i], self.tables[j]
                stab = Table([x for x in self.attrs if x in sep], self.dom, 0)
                for tab, sign in ((a, 1.0), (b, -1.0)):
                    rows += list(r0 + stab.flat(tab.col)) if sep else [r0] * tab.n
                    cols += list(tab.offset + np.arange(tab.n))
                    vals += [sign] * tab.n
                r0 += stab.n
        else:
            self.mode = 'full table'
            self.full = Table(self.attrs, self.dom, 0)
            off = self.full.n
            self.tables = [self.full]
            for t in maximal:
                if t == frozenset(self.attrs):
                    continue
                tab = Table([a for a in self.attrs if a in t], self.dom, off)
                off += tab.n
                self.tables.append(tab)
            self.n = off
            # y_T - (sum of the full table over the other attributes) = 0
            for tab in self.tables[1:]:
                y = tab.flat(self.full.col)
                rows += list(r0 + np.arange(tab.n)) + list(r0 + y)
                cols += list(tab.offset + np.arange(tab.n)) + list(range(self.full.n))
                vals += [1.0] * tab.n + [-1.0] * self.full.n
                r0 += tab.n
        self.defining = sp.csr_matrix((vals, (rows, cols)), shape=(r0, self.n)) if r0 else None
        # the truth
        self.truth = np.zeros(self.n)
        for tab in self.tables:
            idx = tab.flat(cols_e) if tab.attrs else np.zeros(len(self.eps), dtype=np.int64)
            np.add.at(self.truth, tab.offset + idx, ones)

    def allowed(self, a, allowed):
        if allowed == ALL_EXITED:
            allowed = self.exited
        elif isinstance(allowed, tuple) and allowed[0] == 'NOT':
            allowed = (self.exited if a == 'state' else frozenset(self.dom[a])) - allowed[1]
        ok = np.zeros(len(self.dom[a]), dtype=bool)
        for v in allowed:
            if v in self.index[a]:
                ok[self.index[a][v]] = True
        return ok

    def vec(self, expr):
        """A linear expression, a list of (coefficient, definition), as a
        vector over the variables: each term over the smallest table that
        has its attributes."""
        v = np.zeros(self.n)
        for coef, d in expr:
            need = set(d)
            tab = min((t for t in self.tables if need <= set(t.attrs)), key=lambda t: t.n)
            m = np.ones(tab.n, dtype=bool)
            for a, allowed in d.items():
                m &= self.allowed(a, allowed)[tab.col[a]]
            v[tab.offset:tab.offset + tab.n] += coef * m
        return v

    def describe(self, definition):
        parts = []
        for a, allowed in definition.items():
            if allowed == ALL_EXITED:
                parts.append('state=exited')
            elif isinstance(allowed, tuple):
                parts.append('%s not in %s' % ('state=exited and state' if a == 'state' else a,
                                                 '|'.join(sorted('""' if v == '' else v for v in allowed[1]))))
            elif a == 'flag':
                parts.append('flag(first overall, in age band, in unit) in %s'
                             % [FLAGS[i] for i in sorted(allowed)])
            else:
                parts.append('%s in %s' % (a, '|'.join(sorted('""' if v == '' else v for v in allowed))))
        return ' and '.join(parts) or 'all'


def structural(model):
    """What holds of persons and their episodes whatever the data: an episode
    that is not its person's first within a gender, age band, unit, or up to
    an enrolment year, has an earlier episode of the same person there, which
    is the first one; no person has more episodes than there are rows (R), so
    such episodes are at most (R - 1) times the first ones there.  With a
    single value of an attribute, first within it is first overall.  As
    expressions <= 0 (or = 0)."""
    if 'flag' not in model.attrs:
        return []
    # rows_used - 1, taken as known even where meta.rows_used is hidden: an
    # attacker with more than is published only makes the test stricter
    r1 = float(len(model.eps) - 1)
    fa1 = flag_set(lambda f: f[0] == 1)
    out = []
    for attr, k in (('kon', 0), ('age', 1), ('enhet', 2)):
        if attr not in model.attrs:
            continue
        f0 = flag_set(lambda f: f[k] == 0)
        f1 = flag_set(lambda f: f[k] == 1)
        for v in model.dom[attr]:
            g = frozenset([v])
            out.append(([(1, {attr: g, 'flag': f0}), (-r1, {attr: g, 'flag': f1})],
                        'later episodes in %s=%s have a first one there' % (attr, v), 'ub'))
        if attr != 'kon' and len(model.dom[attr]) == 1:
            out.append(([(1, {'flag': flag_set(lambda f: f[k] != f[0])})],
                        'one %s only: first in it = first overall' % attr, 'eq'))
    if 'year' in model.attrs:
        fa0 = flag_set(lambda f: f[0] == 0)
        for j in range(len(model.dom['year']) - 1):
            g = frozenset(model.dom['year'][:j + 1])
            out.append(([(1, {'year': g, 'flag': fa0}), (-r1, {'year': g, 'flag': fa1})],
                        'later episodes up to %s have a first one up to then' % model.dom['year'][j], 'ub'))
    return out


SHARE_TOL = 1e-6


def sign_test_p(x, n):
    """R's binom.test(x, n, 0.5)$p.value, two-sided."""
    if n == 0:
        return None
    return float(binomtest(x, n, 0.5).pvalue)


class Attack:
    """The attack on one output.  Every constraint carries a label (what
    published information it comes from), so that a success can be explained
    by the labels it cannot do without."""

    LABELS = {
        'count': 'published counts',
        'meta': 'meta.rows_used (bookkeeping; hidden where it would give a count away)',
        'share': 'published shares',
        'persons': 'persons: a later episode of a person has a first one in the same group',
        'sign': 'sign_p_value published beside hidden increased/decreased',
        'zero': 'hidden counts are >= 1 (an assumption the programs do not grant: zeros are hidden too)',
    }

    def __init__(self, label, prog, doc, eps, milp_time=30.0, zero_never_hidden=False, full=False):
        self.label = label
        cells, shares, comps, notes, pvalues = parse_output(prog, doc)
        self.cells, self.notes = cells, notes
        self.errors, self.docnotes, self.derived = [], [], []
        self.milp_time = milp_time
        used = set()
        for d in [c.definition for c in cells] + [s[0] for s in shares] + [s[1] for s in shares] \
                + [c[4] for c in comps]:
            used |= set(d)
        m = self.model = Model([a for a in ATTRS if a in used], eps)
        struct = structural(m)
        defs = [c.definition for c in cells] + [s[0] for s in shares] + [s[1] for s in shares] \
            + [c[4] for c in comps] + [d for e, _, _ in struct for _, d in e]
        m.build(defs, full=full)
        self.cons = []      # (label, 'eq' or 'ub', vector, bound)
        seen = set()
        for c in cells:
            v = m.vec([(1, c.definition)])
            c.true = int(round(float(v @ m.truth)))
            c.vec = v
            if c.value is not None:
                if c.value != c.true:
                    self.errors.append('MAPPING %s: published %d, true count of "%s" is %d'
                                       % (c.where(), c.value, m.describe(c.definition), c.true))
                    continue
                key = (v.tobytes(), c.value)
                if key not in seen:
                    seen.add(key)
                    self.cons.append(('meta' if c.table == 'meta' else 'count', 'eq', v, float(c.value)))
            elif c.true == 0:
                self.docnotes.append('%s is hidden and its true count is 0' % c.where())
        if zero_never_hidden:
            for c in cells:
                if c.value is None:
                    self.cons.append(('zero', 'ub', -c.vec, -1.0))
        for num, den, s in shares:
            a = m.vec([(1, num), (-s, den)])
            t = float(a @ m.truth)
            if abs(t) > SHARE_TOL:
                self.errors.append('MAPPING share %r of "%s" over "%s": true residual %g'
                                   % (s, m.describe(num), m.describe(den), t))
                continue
            self.cons += [('share', 'ub', a, SHARE_TOL), ('share', 'ub', -a, SHARE_TOL)]
        for expr, why, kind in struct:
            a = m.vec(expr)
            t = float(a @ m.truth)
            if t > 1e-9 or (kind == 'eq' and t < -1e-9):
                self.errors.append('ASSUMPTION broken by the truth: %s' % why)
                continue
            self.cons.append(('persons', kind, a, 0.0))
        self._matrices()
        # tests published beside hidden counts: narrow the counts by enumeration
        for where, x_def, y_def, p in pvalues:
            self._sign_test(where, x_def, y_def, p)
        # targets
        self.targets = {}   # expression bytes -> dict
        for c in cells:
            if c.value is None and c.sensitive:
                self._target(c.vec, c.true, 'hidden', c.where(), m.describe(c.definition))
        for table, i, what, group, d, sensitive in comps:
            if not sensitive:
                continue
            if what == 'enrolled-persons' and all(len(m.dom.get(k2, [])) == 1 and not not_stated(x)
                                                  for k2, x in group_conditions_keys(group)):
                continue   # the group is the whole project: its enrolled - persons is exempt
            v = m.vec([(1, d)])
            true = int(round(float(v @ m.truth)))
            if not 1 <= true <= SUPPRESS - 1:
                continue
            g = ', '.join('%s=%s' % (k, '""' if x in (None, '') else x) for k, x in group.items())
            self._target(v, true, 'complement', '%s[%d]{%s}.%s' % (table, i, g, what), m.describe(d))

    def _matrices(self, without=None):
        m = self.model
        eq = [m.defining] if m.defining is not None else []
        beq = [np.zeros(m.defining.shape[0])] if m.defining is not None else []
        without = set(without or ())
        ev = [(v, b) for lab, k, v, b in self.cons if k == 'eq' and lab not in without]
        uv = [(v, b) for lab, k, v, b in self.cons if k == 'ub' and lab not in without]
        if ev:
            eq.append(sp.csr_matrix(np.array([v for v, _ in ev])))
            beq.append(np.array([b for _, b in ev]))
        mats = (sp.vstack(eq).tocsr() if eq else None, np.concatenate(beq) if beq else None,
                sp.csr_matrix(np.array([v for v, _ in uv])) if uv else None,
                np.array([b for _, b in uv]) if uv else None)
        if not without:
            self.mats = mats
        return mats

    def _lp(self, c, mats):
        A_eq, b_eq, A_ub, b_ub = mats
        r = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method='highs')
        if r.status == 3:
            # unbounded: nothing published bounds it (without some of the
            # information, or when the rows used are hidden too)
            return -np.inf
        if r.status != 0:
            raise RuntimeError('%s: LP status %d (%s): the truth should be feasible'
                               % (self.label, r.status, r.message))
        return r.fun

    def _milp(self, c, mats):
        A_eq, b_eq, A_ub, b_ub = mats
        cons = []
        if A_eq is not None:
            cons.append(LinearConstraint(A_eq, b_eq, b_eq))
        if A_ub is not None:
            cons.append(LinearConstraint(A_ub, -np.inf, b_ub))
        r = milp(c, constraints=cons, integrality=np.ones(self.model.n), bounds=Bounds(0, np.inf),
                 options={'time_limit': self.milp_time})
        if r.status == 0:
            return r.fun
        return None

    def _range(self, v, mats=None, use_milp=True):
        """(lowest, highest integer, LP min, LP max, how)."""
        mats = mats or self.mats
        lo = self._lp(v, mats)
        hi = -self._lp(-v, mats)
        if not np.isfinite(hi):
            return int(np.ceil(lo - 1e-6)), None, lo, hi, 'LP'
        lo_i, hi_i = int(np.ceil(lo - 1e-6)), int(np.floor(hi + 1e-6))
        how = 'LP'
        if use_milp and hi_i - lo_i == 1:
            a, b = self._milp(v, mats), self._milp(-v, mats)
            if a is not None and b is not None:
                lo_i, hi_i, how = int(round(a)), int(round(-b)), 'MILP'
        return lo_i, hi_i, lo, hi, how

    def _sign_test(self, where, x_def, y_def, p):
        """sign_p_value = binom.test(increased, increased + decreased) is
        published: keep the pairs within the ranges that give that p."""
        m = self.model
        vx, vy = m.vec([(1, x_def)]), m.vec([(1, y_def)])
        x0, x1 = self._range(vx, use_milp=False)[:2]
        y0, y1 = self._range(vy, use_milp=False)[:2]
        if x0 == x1 and y0 == y1:
            return
        pairs = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
                 if x + y > 0 and abs(sign_test_p(x, x + y) - p) <= 1e-9 * max(p, 1e-300) + 1e-15]
        tx, ty = int(round(float(vx @ m.truth))), int(round(float(vy @ m.truth)))
        if (tx, ty) not in pairs:
            self.errors.append('SIGN TEST %s: the true pair (%d, %d) does not give p = %r' % (where, tx, ty, p))
            return
        xs, ys, ss = [q[0] for q in pairs], [q[1] for q in pairs], [q[0] + q[1] for q in pairs]
        added = []
        for vec, vals, name in ((vx, xs, 'increased'), (vy, ys, 'decreased'), (vx + vy, ss, 'increased+decreased')):
            lo, hi = min(vals), max(vals)
            self.cons += [('sign', 'ub', vec, float(hi)), ('sign', 'ub', -vec, float(-lo))]
            added.append('%s in [%d, %d]' % (name, lo, hi))
        self.derived.append('%s: sign_p_value %r, with increased in [%d, %d] and decreased in [%d, %d] '
                            'before, leaves (increased, decreased) in %s' % (where, p, x0, x1, y0, y1, pairs))
        self._matrices()

    def _target(self, vec, true, kind, where, desc):
        key = vec.tobytes()
        t = self.targets.get(key)
        if t is None:
            t = self.targets[key] = {'vec': vec, 'true': true, 'refs': [], 'desc': desc}
        t['refs'].append((kind, where))

    def run(self):
        results = []
        for key, t in self.targets.items():
            lo_i, hi_i, lo, hi, how = self._range(t['vec'])
            if not lo_i <= t['true'] <= (hi_i if hi_i is not None else t['true']):
                self.errors.append('RANGE %s: true %d outside [%d, %s]: the attacker model is wrong'
                                   % (t['refs'][0][1], t['true'], lo_i, hi_i))
            t.update(lo=lo, hi=hi, lo_i=lo_i, hi_i=hi_i, how=how, pinned=lo_i == hi_i, needs=[],
                     any_of=[])
            if t['pinned']:
                # which information can the attack not do without?
                present = [lab for lab in self.LABELS if any(c[0] == lab for c in self.cons)]
                for lab in present:
                    a, b = self._range(t['vec'], self._matrices(without=[lab]))[:2]
                    if a != b:
                        t['needs'].append(lab)
                extras = [lab for lab in present if lab != 'count']
                if extras and not any(lab in t['needs'] for lab in extras):
                    a, b = self._range(t['vec'], self._matrices(without=extras))[:2]
                    if a != b:
                        t['any_of'] = extras
            results.append(t)
        return results


# ------------------------------------------------------------------- runs

def commands(utfall, x, outdir):
    base = [utfall]
    rep = os.path.join(outdir, 'report.json')
    return [
        ('summary', 'summary', base + ['summary', x, '--suppress', str(SUPPRESS), '-f', 'json'], None),
        ('goal-kon', 'goal', base + ['goal', x, '--by', 'kon', '--suppress', str(SUPPRESS), '-f', 'json'], None),
        ('goal-enhet', 'goal', base + ['goal', x, '--by', 'enhet', '--suppress', str(SUPPRESS), '-f', 'json'], None),
        ('split-kon', 'split', base + ['split', x, '--by', 'kon', '--suppress', str(SUPPRESS), '-f', 'json'], None),
        ('hours-kon', 'hours', base + ['hours', x, '--by', 'kon', '--suppress', str(SUPPRESS), '-f', 'json'], None),
        ('report', 'report', base + ['report', x, '--suppress', str(SUPPRESS), '-o', rep], rep),
    ]


def shell(cmd):
    return ' '.join("'%s'" % a if ' ' in a else a for a in cmd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--utfall', required=True, help='the utfall executable')
    ap.add_argument('--seeds', default=','.join(map(str, SEEDS)))
    ap.add_argument('--extract', action='append', default=[],
                    help='attack this extract file instead of generated ones (may be repeated)')
    ap.add_argument('--keep', help='write the extracts and outputs into this folder')
    ap.add_argument('--cases', help='a folder of committed extracts (seedN.csv): each generated '
                    'extract must be byte-identical to its committed copy, if there is one')
    ap.add_argument('--income', action='store_true',
                    help='the generated extracts also have forsorjning_fore and forsorjning_efter '
                    '(attacked in the report\'s forsorjning_crosstab and forsorjning_left)')
    ap.add_argument('--only', help='comma-separated outputs to attack (summary,goal-kon,...)')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--zero-never-hidden', action='store_true',
                    help='also assume every hidden count is at least 1, as utfall(1) says (off: '
                         'the programs do hide zeros)')
    ap.add_argument('--full', action='store_true',
                    help='always one variable per combination of all attributes (slow; a check '
                         'that the junction tree gives the same ranges)')
    args = ap.parse_args()
    if args.income and args.cases:
        ap.error('--cases holds extracts without income columns: not with --income')
    t0 = time.time()
    work = args.keep or tempfile.mkdtemp(prefix='utfall-attack-')
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH='1767225600', LC_ALL='C', LANG='C')
    env.pop('LANGUAGE', None)

    extracts = []
    generated_differs = 0
    if args.extract:
        for p in args.extract:
            extracts.append((os.path.splitext(os.path.basename(p))[0], read_extract(p), p))
    else:
        for s in [int(x) for x in args.seeds.split(',') if x]:
            rows = gen_extract(s, income=args.income)
            p = os.path.join(work, 'seed%d.csv' % s)
            write_extract(rows, p)
            extracts.append(('seed%d' % s, rows, p))
            if args.cases and os.path.exists(os.path.join(args.cases, 'seed%d.csv' % s)):
                with open(p, 'rb') as a, open(os.path.join(args.cases, 'seed%d.csv' % s), 'rb') as b:
                    if a.read() != b.read():
                        print('ERROR seed%d: the generated extract differs from %s/seed%d.csv'
                              % (s, args.cases, s))
                        generated_differs += 1

    tot_cells = tot_succ = tot_err = tot_fail = tot_notes = tot_doc = 0
    by_need = {}
    only = set(args.only.split(',')) if args.only else None
    for name, rows, path in extracts:
        eps = microdata(rows)
        odir = os.path.join(work, name + '-out')
        os.makedirs(odir, exist_ok=True)
        print('== %s: %d rows, %d persons, %s' % (
            name, len(rows), len({r['id'] for r in rows}),
            ', '.join('%s %d' % (k, len({e[k] for e in eps})) for k in ('kon', 'enhet', 'year', 'state'))))
        for label, prog, cmd, outfile in commands(args.utfall, path, odir):
            if only and label not in only:
                continue
            p = subprocess.run(cmd, capture_output=True, env=env, text=True)
            if p.returncode != 0:
                tot_fail += 1
                print('RUN-FAILED %s %s: `%s` exited %d: %s' % (name, label, shell(cmd), p.returncode,
                                                               p.stderr.strip()))
                continue
            doc = json.loads(open(outfile, encoding='utf-8').read() if outfile else p.stdout)
            with open(os.path.join(odir, label + '.json'), 'w', encoding='utf-8') as f:
                json.dump(doc, f, ensure_ascii=False, indent=1)
            t1 = time.time()
            at = Attack('%s %s' % (name, label), prog, doc, eps, full=args.full,
                        zero_never_hidden=args.zero_never_hidden)
            res = at.run()
            succ = [t for t in res if t['pinned']]
            A_eq, _, A_ub, _ = at.mats
            print('  %-10s %s: %d variables, %d equalities, %d inequalities; %d counts hidden '
                  '(%d of them 0); %d cells attacked, %d successes (%.1f s)'
                  % (label, at.model.mode, at.model.n, 0 if A_eq is None else A_eq.shape[0],
                     0 if A_ub is None else A_ub.shape[0], sum(1 for c in at.cells if c.value is None),
                     len(at.docnotes), len(res), len(succ), time.time() - t1))
            tot_cells += len(res)
            tot_succ += len(succ)
            tot_doc += len(at.docnotes)
            for e in at.errors:
                tot_err += 1
                print('    ERROR %s %s: %s' % (name, label, e))
            if args.verbose:
                for n in at.docnotes:
                    print('    hidden zero: %s' % n)
            for n in at.notes:
                tot_notes += 1
                print('    NOTE figure published beside a hidden count: %s' % n)
            for n in at.derived:
                print('    NOTE enumeration: %s' % n)
            for t in res:
                if t['pinned'] or args.verbose:
                    print('    %s %s %s: `%s`' % ('SUCCESS' if t['pinned'] else 'range', name, label,
                                               shell(cmd)))
                    for kind, where in t['refs']:
                        print('        %s %s' % (kind, where))
                    print('        counts: %s' % t['desc'])
                    print('        true %d, range [%d, %d] by %s (LP [%.4f, %.4f])'
                          % (t['true'], t['lo_i'], t['hi_i'], t['how'], t['lo'], t['hi']))
                    if t['pinned']:
                        print('        needs: %s' % ('; '.join(Attack.LABELS[x] for x in t['needs'])
                                                    or 'published counts only'))
                        if t['any_of']:
                            print('        and one of: %s' % ('; '.join(Attack.LABELS[x] for x in t['any_of'])))
                        for x in t['needs'] + ['(one of) ' + x for x in t['any_of']]:
                            by_need[x] = by_need.get(x, 0) + 1
                        if not t['any_of'] and all(x == 'count' for x in t['needs']):
                            by_need['published counts alone'] = by_need.get('published counts alone', 0) + 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    el = time.time() - t0
    print('attack: %d extracts, %d cells attacked, %d successes, %d runs failed, %d model errors, '
          '%d figures published beside a hidden count, %d hidden zeros, %.0f s'
          % (len(extracts), tot_cells, tot_succ, tot_fail, tot_err, tot_notes, tot_doc, el))
    if by_need:
        print('attack: successes that need ' + ', '.join('%s: %d' % (k, v) for k, v in sorted(by_need.items())))
    return 1 if tot_succ or tot_fail or tot_err or generated_differs else 0


if __name__ == '__main__':
    sys.exit(main())
