"""Kedro-free analytical code: cleaning rules, feature formulas, hierarchy maths, profiling."""
