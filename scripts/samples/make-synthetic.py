#!/usr/bin/env python3
"""Generates the synthetic math word-problem sample set (machine-generated, not human-written).

Usage: python3 scripts/samples/make-synthetic.py --out DIR [--count 4000] [--parts 3] [--seed 20240917]

Writes DIR/math-part-NN.jsonl (uncompressed); make-samples.sh compresses them with zstd.
Every document is {"id":"synth-000001","text":"Problem: ...\\nSolution: ...\\nAnswer: ...","kind":"percent"}.
Deterministic: one random.Random(seed) drives everything; all arithmetic is exact (fractions.Fraction),
so every stated answer is correct. Standard library only (Python 3.11).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
from fractions import Fraction

NAMES = ["Ava", "Ben", "Carla", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kofi",
         "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Victor",
         "Wen", "Ximena", "Yusuf", "Zoe"]
ITEMS = [("apple", "apples"), ("book", "books"), ("pencil", "pencils"), ("marble", "marbles"),
         ("sticker", "stickers"), ("cookie", "cookies"), ("ticket", "tickets"), ("stamp", "stamps"),
         ("seashell", "seashells"), ("card", "cards"), ("plant", "plants"), ("notebook", "notebooks")]
SHOPS = ["bakery", "bookstore", "garden centre", "hardware store", "market stall", "toy shop", "cafe"]
GOODS = [("loaf of bread", "loaves of bread"), ("bag of flour", "bags of flour"), ("jar of honey", "jars of honey"),
         ("box of nails", "boxes of nails"), ("pot of paint", "pots of paint"), ("kite", "kites"),
         ("mug", "mugs"), ("scarf", "scarves"), ("lamp", "lamps")]
VEHICLES = ["car", "train", "bus", "cyclist", "boat", "truck", "runner"]


def fmt(x: Fraction | int | float) -> str:
    """Formats an exact number: integers plainly, terminating decimals up to 4 places, else a fraction."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        s = f"{float(x):.4f}".rstrip("0").rstrip(".")
        if Fraction(s) == x:
            return s
    return f"{x.numerator}/{x.denominator}"


def money(x: Fraction) -> str:
    x = Fraction(x)
    cents = x * 100
    if cents.denominator != 1:
        return "$" + fmt(x)
    return f"${cents.numerator // 100}.{cents.numerator % 100:02d}" if cents.numerator % 100 else f"${cents.numerator // 100}"


def frac_str(x: Fraction) -> str:
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    whole, rem = divmod(x.numerator, x.denominator)
    if whole > 0:
        return f"{whole} {rem}/{x.denominator}"
    return f"{x.numerator}/{x.denominator}"


class Gen:
    def __init__(self, rng: random.Random):
        self.r = rng

    def name(self) -> str:
        return self.r.choice(NAMES)

    def two_names(self) -> tuple[str, str]:
        a, b = self.r.sample(NAMES, 2)
        return a, b

    # Each generator returns (problem, steps, answer). Steps are lines of the worked solution.

    def arithmetic(self):
        r = self.r
        n = self.name()
        sing, plur = r.choice(ITEMS)
        start = r.randint(12, 400)
        gain = r.randint(3, 150)
        loss = r.randint(1, start + gain - 1)
        groups = r.choice([2, 3, 4, 5, 6, 8, 10])
        remaining = start + gain - loss
        variant = r.randint(0, 2)
        if variant == 0:
            problem = (f"{n} has {start} {plur}. {n} gets {gain} more and then gives away {loss}. "
                       f"How many {plur} does {n} have now?")
            steps = [f"Start with {start} {plur}.",
                     f"After getting {gain} more: {start} + {gain} = {start + gain}.",
                     f"After giving away {loss}: {start + gain} - {loss} = {remaining}."]
            return problem, steps, str(remaining)
        if variant == 1:
            per = r.randint(2, 40)
            boxes = r.randint(2, 30)
            extra = r.randint(0, per - 1)
            total = per * boxes + extra
            problem = (f"A crate holds {total} {plur}. They are packed into boxes of {per}. "
                       f"How many full boxes can be made, and how many {plur} are left over?")
            steps = [f"Divide {total} by {per}: {per} x {boxes} = {per * boxes}.",
                     f"{total} - {per * boxes} = {extra}, which is less than {per}, so it is the remainder.",
                     f"So there are {boxes} full boxes with {extra} left over."]
            return problem, steps, f"{boxes} boxes, {extra} left over"
        total = remaining * groups
        problem = (f"{n} collects {plur}. On Monday {n} collects {start}, on Tuesday {gain} more, "
                   f"and on Wednesday {n} loses {loss}. {n}'s {groups} friends each have the same number as {n} "
                   f"ends up with. How many {plur} do {n} and the friends have altogether?")
        steps = [f"{n} ends with {start} + {gain} - {loss} = {remaining} {plur}.",
                 f"{n} plus {groups} friends is {groups + 1} people, each with {remaining}.",
                 f"Total: {groups + 1} x {remaining} = {remaining * (groups + 1)}."]
        return problem, steps, str(remaining * (groups + 1))

    def fractions(self):
        r = self.r
        n = self.name()
        variant = r.randint(0, 2)
        if variant == 0:
            d1, d2 = r.choice([2, 3, 4, 5, 6, 8, 10, 12]), r.choice([2, 3, 4, 5, 6, 8, 10, 12])
            a = Fraction(r.randint(1, d1 - 1), d1)
            b = Fraction(r.randint(1, d2 - 1), d2)
            lcd = d1 * d2 // math.gcd(d1, d2)
            s = a + b
            problem = f"{n} eats {a} of a pizza at lunch and {b} of a pizza at dinner. How much pizza does {n} eat in total?"
            steps = [f"Use the common denominator {lcd}: {a} = {a.numerator * (lcd // a.denominator)}/{lcd} "
                     f"and {b} = {b.numerator * (lcd // b.denominator)}/{lcd}.",
                     f"Add the numerators: {a.numerator * (lcd // a.denominator) + b.numerator * (lcd // b.denominator)}/{lcd}.",
                     f"Simplify: {frac_str(s)}."]
            return problem, steps, f"{frac_str(s)} pizzas" if s > 1 else f"{frac_str(s)} of a pizza"
        if variant == 1:
            d = r.choice([3, 4, 5, 6, 8])
            num = r.randint(1, d - 1)
            whole = d * r.randint(3, 30)
            part = whole * num // d
            sing, plur = r.choice(ITEMS)
            problem = f"A class has {whole} {plur}. {num}/{d} of them are used in a project. How many {plur} are not used?"
            steps = [f"Find {num}/{d} of {whole}: {whole} / {d} = {whole // d}, and {whole // d} x {num} = {part}.",
                     f"Subtract from the total: {whole} - {part} = {whole - part}."]
            return problem, steps, str(whole - part)
        length = Fraction(r.randint(4, 24) * 2 + 1, 2)
        piece = Fraction(r.choice([1, 3, 5]), r.choice([4, 2]))
        if piece >= length:
            piece = Fraction(1, 2)
        count = math.floor(length / piece)
        left = length - count * piece
        problem = (f"{n} has a ribbon {frac_str(length)} metres long and cuts it into pieces {frac_str(piece)} metre long. "
                   f"How many whole pieces can {n} cut, and how much ribbon is left?")
        steps = [f"Divide: {frac_str(length)} / {frac_str(piece)} = {length} x {1 / piece} = {frac_str(length / piece)}.",
                 f"So {count} whole pieces fit.",
                 f"Used: {count} x {frac_str(piece)} = {frac_str(count * piece)} metres; left: "
                 f"{frac_str(length)} - {frac_str(count * piece)} = {frac_str(left)} metres."]
        return problem, steps, f"{count} pieces, {frac_str(left)} m left"

    def percent(self):
        r = self.r
        variant = r.randint(0, 2)
        if variant == 0:
            shop = r.choice(SHOPS)
            sing, plur = r.choice(GOODS)
            price = Fraction(r.randint(8, 400) * 5, 100) * r.choice([1, 10])
            pct = r.choice([5, 10, 15, 20, 25, 30, 40, 50])
            off = price * pct / 100
            problem = f"At the {shop}, a {sing} costs {money(price)}. It is on sale for {pct}% off. What is the sale price?"
            steps = [f"{pct}% of {money(price)} is {money(price)} x {pct}/100 = {money(off)}.",
                     f"Sale price: {money(price)} - {money(off)} = {money(price - off)}."]
            return problem, steps, money(price - off)
        if variant == 1:
            old = r.randint(20, 900)
            pct = r.choice([10, 20, 25, 50, 75, 5, 12, 40])
            new = Fraction(old * (100 + pct), 100)
            problem = (f"A town had {old * 100} residents. The population grew by {pct}%. "
                       f"What is the new population?")
            steps = [f"Increase: {old * 100} x {pct}/100 = {fmt(old * pct)}.",
                     f"New population: {old * 100} + {fmt(old * pct)} = {fmt(new * 100)}."]
            return problem, steps, fmt(new * 100)
        n = self.name()
        total = r.choice([20, 25, 40, 50, 80, 100, 120, 200])
        right = r.randint(total // 3, total)
        pct = Fraction(right * 100, total)
        problem = f"{n} answered {right} out of {total} questions correctly. What percentage is that?"
        steps = [f"Fraction correct: {right}/{total}.",
                 f"Multiply by 100: {right} x 100 / {total} = {fmt(pct)}."]
        return problem, steps, f"{fmt(pct)}%"

    def rate(self):
        r = self.r
        variant = r.randint(0, 2)
        if variant == 0:
            v = r.choice(VEHICLES)
            speed = r.randint(4, 120)
            hours = Fraction(r.randint(1, 16), r.choice([1, 2, 4]))
            dist = speed * hours
            problem = f"A {v} travels at {speed} km/h for {frac_str(hours)} hours. How far does it go?"
            steps = ["Distance = speed x time.", f"{speed} x {fmt(hours)} = {fmt(dist)} km."]
            return problem, steps, f"{fmt(dist)} km"
        if variant == 1:
            a, b = self.two_names()
            ta, tb = r.choice([(2, 3), (3, 6), (4, 12), (6, 3), (5, 20), (10, 15), (4, 6), (12, 4)])
            together = Fraction(1, 1) / (Fraction(1, ta) + Fraction(1, tb))
            problem = (f"{a} can paint a fence in {ta} hours and {b} can paint it in {tb} hours. "
                       f"How long does it take them working together?")
            steps = [f"{a} paints 1/{ta} of the fence per hour; {b} paints 1/{tb}.",
                     f"Together: 1/{ta} + 1/{tb} = {Fraction(1, ta) + Fraction(1, tb)} of the fence per hour.",
                     f"Time = 1 / ({Fraction(1, ta) + Fraction(1, tb)}) = {frac_str(together)} hours."]
            return problem, steps, f"{frac_str(together)} hours"
        n = self.name()
        rate = r.randint(3, 60)
        minutes = r.randint(5, 90)
        target = rate * minutes
        problem = f"A printer prints {rate} pages per minute. {n} needs {target} pages. How many minutes will it take?"
        steps = ["Time = pages / rate.", f"{target} / {rate} = {minutes} minutes."]
        return problem, steps, f"{minutes} minutes"

    def geometry(self):
        r = self.r
        variant = r.randint(0, 3)
        if variant == 0:
            w, h = r.randint(2, 60), r.randint(2, 60)
            problem = f"A rectangular garden is {w} m wide and {h} m long. What are its area and perimeter?"
            steps = [f"Area = width x length = {w} x {h} = {w * h} square metres.",
                     f"Perimeter = 2 x (width + length) = 2 x ({w} + {h}) = {2 * (w + h)} m."]
            return problem, steps, f"area {w * h} m^2, perimeter {2 * (w + h)} m"
        if variant == 1:
            b, h = r.randint(2, 40), r.randint(2, 40)
            area = Fraction(b * h, 2)
            problem = f"A triangle has a base of {b} cm and a height of {h} cm. What is its area?"
            steps = ["Area of a triangle = base x height / 2.", f"{b} x {h} / 2 = {b * h} / 2 = {fmt(area)} square cm."]
            return problem, steps, f"{fmt(area)} cm^2"
        if variant == 2:
            a, b, c = r.choice([(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41)])
            k = r.randint(1, 5)
            a, b, c = a * k, b * k, c * k
            problem = f"A right triangle has legs of {a} and {b}. How long is the hypotenuse?"
            steps = ["By the Pythagorean theorem, c^2 = a^2 + b^2.",
                     f"c^2 = {a}^2 + {b}^2 = {a * a} + {b * b} = {c * c}.",
                     f"c = sqrt({c * c}) = {c}."]
            return problem, steps, str(c)
        l, w, h = r.randint(2, 30), r.randint(2, 30), r.randint(2, 30)
        problem = f"A box is {l} cm long, {w} cm wide and {h} cm tall. What is its volume?"
        steps = ["Volume = length x width x height.", f"{l} x {w} = {l * w}; {l * w} x {h} = {l * w * h} cubic cm."]
        return problem, steps, f"{l * w * h} cm^3"

    def algebra(self):
        r = self.r
        variant = r.randint(0, 2)
        if variant == 0:
            x = r.randint(-20, 40)
            a = r.choice([2, 3, 4, 5, 6, 7, 9, 11])
            b = r.randint(-50, 50)
            c = a * x + b
            bs = f"+ {b}" if b >= 0 else f"- {-b}"
            problem = f"Solve for x: {a}x {bs} = {c}."
            steps = [f"Add {-b} to both sides: {a}x = {c} + {-b} = {c - b}." if b < 0 else
                     f"Subtract {b} from both sides: {a}x = {c} - {b} = {c - b}.",
                     f"Divide both sides by {a}: x = {c - b} / {a} = {x}.",
                     f"Check: {a} x ({x}) {bs} = {c}." if x < 0 else f"Check: {a} x {x} {bs} = {c}."]
            return problem, steps, f"x = {x}"
        if variant == 1:
            a, b = self.two_names()
            older = r.randint(2, 30)
            ya = r.randint(3, 50)
            yb = ya + older
            total = ya + yb
            problem = f"{b} is {older} years older than {a}. Together their ages add up to {total}. How old is {a}?"
            steps = [f"Let {a}'s age be x, so {b}'s age is x + {older}.",
                     f"x + (x + {older}) = {total}, so 2x = {total - older}.",
                     f"x = {total - older} / 2 = {ya}.",
                     f"{b} is {ya} + {older} = {yb}; check: {ya} + {yb} = {total}."]
            return problem, steps, str(ya)
        x, y = r.randint(-10, 15), r.randint(-10, 15)
        a1, b1 = r.randint(1, 6), r.randint(1, 6)
        a2, b2 = r.randint(1, 6), -r.randint(1, 6)
        c1, c2 = a1 * x + b1 * y, a2 * x + b2 * y
        det = a1 * b2 - a2 * b1
        problem = (f"Solve the system: {a1}x + {b1}y = {c1} and {a2}x - {-b2}y = {c2}.")
        steps = [f"Multiply the first equation by {a2} and the second by {a1}: "
                 f"{a1 * a2}x + {b1 * a2}y = {c1 * a2} and {a1 * a2}x - {-b2 * a1}y = {c2 * a1}.",
                 f"Subtract: ({b1 * a2} - ({b2 * a1}))y = {c1 * a2} - ({c2 * a1}), so {b1 * a2 - b2 * a1}y = {c1 * a2 - c2 * a1}.",
                 f"y = {c1 * a2 - c2 * a1} / {b1 * a2 - b2 * a1} = {y}.",
                 f"Substitute into the first equation: {a1}x + {b1} x {y} = {c1}, so {a1}x = {c1 - b1 * y} and x = {x}."]
        assert det != 0
        return problem, steps, f"x = {x}, y = {y}"


KINDS = ["arithmetic", "fractions", "percent", "rate", "geometry", "algebra"]


def make_doc(g: Gen, idx: int) -> dict:
    r = g.r
    roll = r.random()
    if roll < 0.7:
        kind = r.choice(KINDS)
        problem, steps, answer = getattr(g, kind)()
        body = "Solution:\n" + "\n".join(f"Step {i + 1}: {s}" for i, s in enumerate(steps))
        text = f"Problem: {problem}\n{body}\nAnswer: {answer}"
    else:
        # Multi-part worksheet: 2 to 12 parts (rarely up to 40) so the length distribution has a long tail.
        parts = r.randint(2, 12) if roll < 0.97 else r.randint(20, 40)
        kinds = [r.choice(KINDS) for _ in range(parts)]
        kind = "mixed" if len(set(kinds)) > 1 else kinds[0]
        problems, solutions, answers = [], [], []
        for i, k in enumerate(kinds):
            label = chr(ord("a") + i) if i < 26 else f"a{chr(ord('a') + i - 26)}"
            problem, steps, answer = getattr(g, k)()
            problems.append(f"({label}) {problem}")
            solutions.append(f"({label})\n" + "\n".join(f"Step {j + 1}: {s}" for j, s in enumerate(steps)))
            answers.append(f"({label}) {answer}")
        text = ("Problem: Answer every part.\n" + "\n".join(problems) + "\nSolution:\n" + "\n".join(solutions)
                + "\nAnswer: " + "; ".join(answers))
    return {"id": f"synth-{idx:06d}", "text": text, "kind": kind}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=4000)
    ap.add_argument("--parts", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240917)
    args = ap.parse_args()
    g = Gen(random.Random(args.seed))
    os.makedirs(args.out, exist_ok=True)
    docs = [make_doc(g, i + 1) for i in range(args.count)]
    per = math.ceil(len(docs) / args.parts)
    for p in range(args.parts):
        chunk = docs[p * per:(p + 1) * per]
        path = os.path.join(args.out, f"math-part-{p:02d}.jsonl")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for d in chunk:
                f.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{path}: {len(chunk)} docs")


if __name__ == "__main__":
    main()
