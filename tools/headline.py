"""The README's headline on the real file, generated from a run's outputs (never typed by hand).

    python -m tools.headline <project folder of a finished run> [README.md]

rewrites the README block between ``<!-- headline:start -->`` and ``<!-- headline:end -->`` from
that run's data quality, k decision, segment names, profiles, actions, stability and scoring
agreement. tests/test_docs.py regenerates it from a fresh run on the real file and fails when the
README differs.
"""

import json
import sys
from pathlib import Path

from kedro_datasets.pandas import CSVDataset

from customer_segmentation.core.cleaning.cleaning import rejections_by_rule
from tools.doc_blocks import replace_block


def _json(project: Path, path: str) -> dict:
    return json.loads((project / "data/current" / path).read_text(encoding="utf-8"))


def _cleaning(quality: dict) -> str:
    rejected = rejections_by_rule(quality["rules"])
    fixed = sum(rule.get("values_fixed", 0) for rule in quality["rules"])
    return (
        f"- **Cleaning:** {quality['rows_in']:,} rows in, {quality['rows_kept']:,} kept, "
        f"{quality['rows_rejected']:,} rejected, each with a reason ({'; '.join(rejected)}); "
        f"{fixed:,} values fixed by a rule."
    )


def _decision(decision: dict, stability: dict) -> list[str]:
    statement = (decision.get("structure") or {}).get("statement", "")
    why = decision.get("explanation") or decision["reasoning"]
    lines = [f"- **k = {decision['chosen_k']}.** {why}"]
    if statement:
        lines.append(f"- **How firm the segments are:** {statement}")
    # Two stability figures are shown: name which is which, so they do not read as a contradiction.
    other = " (the structure check above re-cuts one seeded sample)" if statement else ""
    lines.append(
        f"- **Stability of the delivered segments:** mean adjusted Rand index "
        f"{stability['ari_mean']:.2f} (sd {stability['ari_sd']:.2f}, "
        f"min {stability['ari_min']:.2f}) over {stability['n_resamples']} seeded bootstrap "
        f"resamples{other}."
    )
    return lines


def _segments(project: Path) -> list[str]:
    names = {
        s["segment"]: s["name"]
        for s in _json(project, "08_reporting/segment_names.json")["segments"]
    }
    jaccard = {
        s["segment"]: s["jaccard_mean"]
        for s in _json(project, "08_reporting/segment_stability.json")["segments"]
    }
    agreement = _json(project, "07_model_output/segment_assignment_agreement.json")
    placed = {s["segment"]: s["agreement"] for s in agreement["per_segment"]}
    profiles_file = project / "data/current/08_reporting/segment_profiles.csv"
    profiles = CSVDataset(filepath=str(profiles_file)).load()
    rows = [
        "| # | name | customers | revenue share | stability (Jaccard) | scoring model disagrees |",
        "| - | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in profiles[profiles["segment"] > 0].itertuples():
        rows.append(
            f"| {row.segment} | {names[row.segment]} | {row.customers:,} "
            f"({row.customer_share:.1%}) | {row.revenue_share:.1%} | {jaccard[row.segment]:.2f} | "
            f"{1 - placed[row.segment]:.1%} |"
        )
    overall = 1 - agreement["agreement"]
    return [
        "- **Segments** (numbered by size):",
        "",
        *[f"  {row}" for row in rows],
        "",
        f"  The nearest-centroid model that places new customers puts {overall:.1%} of the "
        "training customers in another segment than the clustering did.",
    ]


def _actions(project: Path, per_segment: int = 1) -> list[str]:
    lines = ["- **Example actions**, each citing its numbers:"]
    for item in _json(project, "08_reporting/segment_actions.json")["segments"]:
        for action in item["actions"][:per_segment]:
            tentative = " *(tentative: unstable segment)*" if action.get("tentative") else ""
            lines.append(
                f"  - segment {item['segment']}: {action['action']} {action['evidence']}{tentative}"
            )
    return lines


def render(project: Path) -> str:
    """The headline block (Markdown) from the outputs of a finished run in ``project``."""
    stability = _json(project, "08_reporting/segment_stability.json")
    lines = [
        _cleaning(_json(project, "02_intermediate/data_quality.json")),
        *_decision(_json(project, "06_models/k_selection_decision.json"), stability),
        *_segments(project),
        *_actions(project),
    ]
    return "\n".join(lines)


def update_readme(readme: Path, project: Path) -> str:
    """The README text with the headline block regenerated from ``project``'s run."""
    return replace_block(readme.read_text(encoding="utf-8"), "headline", render(project))


def main() -> None:
    """Rewrite the README's headline block from the run in ``sys.argv[1]``."""
    project = Path(sys.argv[1])
    readme = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("README.md")  # noqa: PLR2004
    readme.write_text(update_readme(readme, project), encoding="utf-8")


if __name__ == "__main__":
    main()
