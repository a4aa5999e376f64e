#!/usr/bin/python3
"""Score podium-dedup against the public data sets with known duplicates.

Runs find-duplicates and cross-location on Fodor's/Zagat and on Febrl
dataset A, in a temporary folder, then compares the pairs they report with
the true pairs and prints pairwise precision and recall as a Markdown table.
The data is read in place (default: ../shared/data next to the repository)
and never copied into the repository.

Usage: scripts/score_quality.py [--binary build/podium-dedup] [--data DIR]
                                [--workdir DIR] [--examples N]
"""

import argparse
import csv
import itertools
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(command, log):
    """Run one podium-dedup command, echo it, and stop on failure."""
    log.append(" ".join(command))
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit("command failed with exit status %d: %s\n%s"
                 % (completed.returncode, " ".join(command), completed.stderr))
    return completed


def pairs_of(uids):
    """Return the unordered pairs of distinct uids, as sorted tuples."""
    unique = sorted(set(uids))
    return {pair for pair in itertools.combinations(unique, 2)}


def cluster_pairs(clusters_path, auto_merge_only):
    with open(clusters_path, encoding="utf-8") as handle:
        clusters = json.load(handle)["clusters"]
    pairs = set()
    for cluster in clusters:
        if auto_merge_only and not cluster["auto_merge"]:
            continue
        pairs |= pairs_of(cluster["contact_uids"])
    return pairs


def review_queue_pairs(review_path):
    """Pairs of contacts in different locations that share a key."""
    with open(review_path, encoding="utf-8") as handle:
        items = json.load(handle)["review_queue"]
    pairs = set()
    for item in items:
        for a, b in itertools.combinations(item["contacts"], 2):
            if a["contact_uid"] != b["contact_uid"] and a["location_uid"] != b["location_uid"]:
                pairs.add(tuple(sorted((a["contact_uid"], b["contact_uid"]))))
    return pairs


def score(predicted, truth):
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else None
    recall = hits / len(truth) if truth else None
    return {"pairs": len(predicted), "true": hits, "precision": precision, "recall": recall}


def read_rows(path, key):
    with open(path, encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def fodors_zagat_truth(folder):
    fodors = read_rows(os.path.join(folder, "fodors.csv"), "id")
    zagats = read_rows(os.path.join(folder, "zagats.csv"), "id")
    overlap = set(fodors) & set(zagats)
    if overlap:
        sys.exit("fodors.csv and zagats.csv share ids %s; the scoring needs distinct uids" % sorted(overlap)[:5])
    truth = set()
    with open(os.path.join(folder, "matches.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            truth.add(tuple(sorted((row["fodors_id"], row["zagats_id"]))))
    return truth, {**fodors, **zagats}


def febrl_truth(path):
    """True pairs of Febrl dataset A: rows whose rec_id // 10 is equal."""
    rows = read_rows(path, "rec_id")
    entities = {}
    for rec_id in rows:
        entities.setdefault(int(rec_id) // 10, []).append(rec_id)
    truth = set()
    for members in entities.values():
        truth |= pairs_of(members)
    return truth, rows


def describe(pair, rows, fields):
    return " | ".join(", ".join(rows[uid].get(field, "") for field in fields) for uid in pair)


def run_fodors_zagat(binary, folder, workdir, log):
    fodors = os.path.join(folder, "fodors.csv")
    zagats = os.path.join(folder, "zagats.csv")
    per_guide_db = os.path.join(workdir, "fz-per-guide.sqlite")
    per_guide = os.path.join(workdir, "fz-per-guide-clusters.json")
    review = os.path.join(workdir, "fz-review-queue.json")
    one_db = os.path.join(workdir, "fz-one-location.sqlite")
    one = os.path.join(workdir, "fz-one-location-clusters.json")

    common = ["--region", "US", "--force", "--quiet"]
    run([binary, "find-duplicates", "--input", fodors, "--location", "fodors", "--db", per_guide_db,
         "--output", os.path.join(workdir, "fz-fodors-only.json")] + common, log)
    run([binary, "find-duplicates", "--input", zagats, "--location", "zagats", "--db", per_guide_db,
         "--output", per_guide] + common, log)
    run([binary, "cross-location", "--db", per_guide_db, "--output", review, "--force", "--quiet"], log)
    run([binary, "find-duplicates", "--input", fodors, "--input", zagats, "--location", "restaurants",
         "--db", one_db, "--output", one] + common, log)

    truth, rows = fodors_zagat_truth(folder)
    within = cluster_pairs(per_guide, auto_merge_only=False)
    across = review_queue_pairs(review)
    results = [
        ("Fodor's/Zagat, one location per guide", "auto-merge clusters", score(cluster_pairs(per_guide, True), truth)),
        ("Fodor's/Zagat, one location per guide", "clusters (within a guide)", score(within, truth)),
        ("Fodor's/Zagat, one location per guide", "cross-location review queue", score(across, truth)),
        ("Fodor's/Zagat, one location per guide", "everything surfaced", score(within | across, truth)),
        ("Fodor's/Zagat, one location", "auto-merge clusters", score(cluster_pairs(one, True), truth)),
        ("Fodor's/Zagat, one location", "everything surfaced (all clusters)",
         score(cluster_pairs(one, False), truth)),
    ]
    examples = {
        "auto-merge false positives": sorted(cluster_pairs(one, True) - truth),
        "surfaced false positives": sorted(cluster_pairs(one, False) - truth),
        "missed true pairs": sorted(truth - cluster_pairs(one, False)),
    }
    return results, examples, rows, ["name", "addr", "phone"]


def run_febrl(binary, folder, workdir, log):
    data = os.path.join(folder, "dataset_A_10000.csv")
    clusters = os.path.join(workdir, "febrl-clusters.json")
    run([binary, "find-duplicates", "--input", data, "--location", "febrl", "--region", "AU",
         "--db", os.path.join(workdir, "febrl.sqlite"), "--output", clusters, "--force", "--quiet"], log)
    truth, rows = febrl_truth(data)
    results = [
        ("Febrl dataset A", "auto-merge clusters", score(cluster_pairs(clusters, True), truth)),
        ("Febrl dataset A", "everything surfaced (all clusters)", score(cluster_pairs(clusters, False), truth)),
    ]
    examples = {
        "auto-merge false positives": sorted(cluster_pairs(clusters, True) - truth),
        "surfaced false positives": sorted(cluster_pairs(clusters, False) - truth),
        "missed true pairs": sorted(truth - cluster_pairs(clusters, False)),
    }
    return results, examples, rows, ["given_name", "surname", "phone_number"]


def classify_missed(pairs, rows, phone_field):
    """Count missed true pairs by how their raw phone values compare."""
    counts = {}
    for pair in pairs:
        digits = ["".join(ch for ch in rows[uid][phone_field] if ch.isdigit()) for uid in pair]
        if not digits[0] or not digits[1]:
            kind = "a phone is empty"
        elif digits[0] == digits[1]:
            kind = "same digits, but no shared key (the number is not valid)"
        else:
            kind = "different phone numbers"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def run_generated(binary, workdir, people, seed, log):
    """Score a generated tenant; the truth's merge groups are the true pairs."""
    tenant = os.path.join(workdir, "generated.jsonl")
    truth_path = os.path.join(workdir, "generated-truth.json")
    clusters = os.path.join(workdir, "generated-clusters.json")
    run([binary, "generate", "--people", str(people), "--seed", str(seed), "--locations", "3", "--output", tenant,
         "--truth", truth_path, "--force", "--quiet"], log)
    run([binary, "find-duplicates", "--input", tenant, "--region", "AU", "--db",
         os.path.join(workdir, "generated.sqlite"), "--output", clusters, "--force", "--quiet"], log)
    with open(truth_path, encoding="utf-8") as handle:
        truth_file = json.load(handle)
    truth = set()
    for group in truth_file["mergeGroups"]:
        truth |= pairs_of(group["contacts"])
    rows = {}
    with open(tenant, encoding="utf-8") as handle:
        for line in handle:
            contact = json.loads(line)
            rows[contact["uid"]] = {"name": contact.get("name") or "", "person": truth_file["contactPerson"].get(
                contact["uid"], ""), "phones": " / ".join(contact.get("phoneNumbers") or [])}
    title = "Generated tenant (%d people, seed %d)" % (people, seed)
    results = [
        (title, "auto-merge clusters", score(cluster_pairs(clusters, True), truth)),
        (title, "everything surfaced (all clusters)", score(cluster_pairs(clusters, False), truth)),
    ]
    examples = {
        "auto-merge false positives": sorted(cluster_pairs(clusters, True) - truth),
        "surfaced false positives": sorted(cluster_pairs(clusters, False) - truth),
    }
    return results, examples, rows, ["name", "person", "phones"]


def format_ratio(value):
    return "n/a" if value is None else "%.3f" % value


def print_table(results):
    print("| data set | what is counted | pairs reported | true pairs among them | precision | recall |")
    print("|---|---|---:|---:|---:|---:|")
    for data_set, counted, figures in results:
        print("| %s | %s | %d | %d | %s | %s |" % (data_set, counted, figures["pairs"], figures["true"],
                                                  format_ratio(figures["precision"]),
                                                  format_ratio(figures["recall"])))


def print_examples(title, examples, rows, fields, limit):
    for kind, pairs in examples.items():
        print("\n%s, %s: %d" % (title, kind, len(pairs)))
        if kind == "missed true pairs":
            for reason, count in sorted(classify_missed(pairs, rows, fields[-1]).items()):
                print("  %s: %d" % (reason, count))
        for pair in pairs[:limit]:
            print("  %s: %s" % (" ".join(pair), describe(pair, rows, fields)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(REPO, "build", "podium-dedup"),
                        help="podium-dedup executable (default: build/podium-dedup)")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(REPO), "shared", "data"),
                        help="folder with fodors-zagat/ and febrl/ (default: ../shared/data)")
    parser.add_argument("--workdir", help="folder for the index files and outputs (default: a temporary folder)")
    parser.add_argument("--examples", type=int, default=10, help="example pairs printed per kind of error")
    parser.add_argument("--generated-people", type=int, default=20000,
                        help="people in the generated tenant that is scored too; 0 skips it")
    parser.add_argument("--generated-seed", type=int, default=7, help="seed of the generated tenant")
    args = parser.parse_args()

    for needed in (args.binary, os.path.join(args.data, "fodors-zagat"), os.path.join(args.data, "febrl")):
        if not os.path.exists(needed):
            sys.exit("not found: %s (see --help)" % needed)

    with tempfile.TemporaryDirectory(prefix="podium-dedup-quality-") as temporary:
        workdir = args.workdir or temporary
        os.makedirs(workdir, exist_ok=True)
        log = []
        fz = run_fodors_zagat(args.binary, os.path.join(args.data, "fodors-zagat"), workdir, log)
        febrl = run_febrl(args.binary, os.path.join(args.data, "febrl"), workdir, log)
        generated = None
        if args.generated_people > 0:
            generated = run_generated(args.binary, workdir, args.generated_people, args.generated_seed, log)

        print("Commands:\n")
        for command in log:
            print("    " + command)
        print()
        print_table(fz[0] + febrl[0] + (generated[0] if generated else []))
        print_examples("Fodor's/Zagat (one location)", fz[1], fz[2], fz[3], args.examples)
        print_examples("Febrl", febrl[1], febrl[2], febrl[3], args.examples)
        if generated:
            print_examples("Generated tenant", generated[1], generated[2], generated[3], args.examples)


if __name__ == "__main__":
    main()
