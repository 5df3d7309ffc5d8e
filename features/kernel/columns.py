"""Column names of the central table (DESIGN.md section 9), grouped by concept.

Other tools read these names: add columns freely, never rename the contract ones.
Each feature group lists its columns; ``build`` reports coverage per group and the
model matrix picks features by group.
"""
from __future__ import annotations

KEY = ["cycle", "state", "district", "party", "incumbent"]

GROUPS: dict[str, list[str]] = {
    "identity": ["bioguide_id", "fec_id", "incumbent", "party", "state", "district"],
    "contest": [
        "primary_date", "runoff_date", "filing_deadline", "primary_system", "contested", "n_candidates",
        "incumbent_vs_incumbent", "other_incumbent", "new_lines", "special_election_member",
        "roster_date", "roster_end", "field_date",
    ],
    "outcome": [
        "lost", "incumbent_share", "incumbent_share_all", "top_challenger", "top_challenger_party",
        "top_challenger_share", "went_to_runoff", "runoff_share", "challenger_advanced", "result_source",
        # November (MEDSL): the second target, lost the nomination or a same-party general
        "lost_to_same_party", "same_party_general", "lost_general", "general_share", "general_margin",
        "general_rival", "general_rival_party", "general_source_row",
    ],
    "incumbent": [
        "incumbent_age", "tenure_years", "tenure_terms", "gender", "beat_incumbent_in_primary",
        "last_primary_share", "leadership", "prev_general_margin", "prev_general_same_party",
    ],
    "district": [
        "pres_lean", "pres_lean_lines", "latino_share", "black_share", "asian_share", "white_share",
        "ba_plus_share", "foreign_born_share", "median_age", "urban_index", "renter_share", "demog_source",
        "pres_elec", "new_lines_state", "lines_stale", "map_vintage", "lines_enacted",
        # the 2026 TX/FL plans (features.districts.redistricting_2026): the old lines' values, dated switch
        "demog_stale", "lean_new_lines", "lean_lines_date", "lean_district", "lean_registered",
        "lean_district_date", "pres_lean_prev_lines", "d_pres_share_prev_lines", "pres_lean_lines_prev",
        "pres_lean_held_district", "d_pres_share_held_district",
    ],
    # Pre-primary FEC money: only from a summary whose coverage ends before the primary.
    "money": [
        "inc_receipts", "inc_cash", "chal_receipts", "chal_cash", "chal_name_fec", "money_ratio",
        "money_cvg_end", "money_source",
    ],
    # The same money as of December 31 of the year before the election (the early-warning horizon):
    # ``features.view.asof`` uses it where the pre-primary figure runs past the as-of date.
    "money_early": [
        "inc_receipts_early", "inc_cash_early", "chal_receipts_early", "chal_cash_early",
        "chal_name_fec_early", "money_ratio_early", "money_early_cvg_end", "money_early_source",
    ],
    # Year-end FEC totals: include post-primary money -> leak the outcome for past cycles.
    "money_yearend": [
        "inc_receipts_ye", "inc_cash_ye", "chal_receipts_ye", "chal_cash_ye", "money_ratio_ye",
        "money_ye_cvg_end",
    ],
    "outside_spending": [
        "os_for_inc", "os_against_inc", "os_for_chal", "os_against_chal",
        "os_pro_israel_against_inc", "os_pro_israel_for_inc", "os_crypto", "os_progressive",
        "os_party_aligned", "os_conservative", "os_last_date",
    ],
    "endorsements": [
        "end_insurgent_chal", "end_jd_chal", "end_our_revolution_chal", "end_sunrise_chal", "end_wfp_chal",
        "end_sanders_chal", "end_aoc_chal", "end_trump_against_inc", "end_trump_for_inc", "end_leadership_inc",
        "end_aipac_inc", "end_aipac_chal", "end_dmfi_inc", "end_dmfi_chal", "end_last_date",
    ],
    # Voteview Nokken-Poole in the Congress before the primary's (features.evidence.ideology)
    "ideology": ["np_dim1_prev", "np_party_median_prev", "np_extremity", "np_moderate_pct", "np_cross_party",
                 "ideology_congress", "ideology_date"],
    # GovTrack misconduct events known by the as-of date (features.evidence.misconduct)
    "misconduct": ["misconduct_n_2y", "misconduct_serious_4y", "misconduct_last_date"],
    # is someone in the filed field a former member / state office holder (features.evidence.challenger_quality)
    "challenger_quality": ["chal_former_member", "chal_state_office", "chal_quality_names", "rematch", "rematch_name",
                           "chal_quality_date"],
    # the member's previous primary: its strongest challenger, contested, district switch
    # (features.evidence.challenger_history; rematch, which reads the field, is in challenger_quality)
    "challenger_history": ["prev_chal_share", "prev_contested", "prev_top_challenger", "district_switch",
                           "prev_district", "prev_primary_date"],
    # FEC pro-Israel PAC money (UDP IEs, AIPAC PAC contributions), dated (features.evidence.pro_israel_money)
    "outside_money_fec": ["pi_fec_against_inc", "pi_fec_for_inc", "pi_fec_last_date"],
    # NORPAC's contributions, their own columns (the bloc's PACs differ by cycle), dated
    "outside_money_norpac": ["norpac_fec_against_inc", "norpac_fec_for_inc", "norpac_fec_last_date"],
    # J Street PAC money, its own columns (never the pro-Israel bloc's), dated (features.evidence.pro_israel_money)
    "outside_money_jstreet": ["js_fec_for_inc", "js_fec_against_inc", "js_fec_last_date"],
    # 2024 FEC independent-expenditure totals (features.evidence.ie_2024): undated, general money included -> leaky
    "outside_spending_ie24": [
        "ie24_for_inc", "ie24_against_inc", "ie24_for_chal", "ie24_against_chal",
        "ie24_pro_israel_against_inc", "ie24_pro_israel_for_inc", "ie24_crypto_against_inc", "ie24_crypto_for_inc",
        "ie24_progressive_against_inc", "ie24_progressive_for_inc", "ie24_party_aligned_against_inc",
        "ie24_party_aligned_for_inc", "ie24_conservative_against_inc", "ie24_conservative_for_inc", "ie24_cvg_end",
    ],
    "provenance": ["match_method", "match_score", "sitting_in_congress", "source_results", "source_incumbent", "source_district", "source_money",
                   "source_outside", "source_endorsements", "imputed_flags"],
}

# Columns DESIGN.md section 9 promises to other tools.
CONTRACT = [
    "cycle", "state", "district", "party", "incumbent", "bioguide_id", "fec_id", "primary_date",
    "primary_system", "contested", "incumbent_vs_incumbent", "lost", "incumbent_share", "top_challenger",
    "top_challenger_share", "incumbent_age", "tenure_years", "pres_lean",
]

# Columns whose values are known only after the primary: never model inputs.
OUTCOME_COLUMNS = GROUPS["outcome"]

# Undated-by-nature columns of the live cycle and the column dating each (features.contests.live_dating):
# the row itself (roster), the new-lines flags, the known field.
DATED_COLUMNS = {
    "roster_date": ["incumbent"],
    "lines_enacted": ["new_lines", "new_lines_state", "lines_stale", "demog_stale"],
    # pres_lean on a 2026 plan (TX, FL): before this date the view swaps the old lines' lean back in
    "lean_lines_date": ["lean_new_lines"],
    # ... and a member registered in another district of it: its lean from the registration's date
    "lean_district_date": ["lean_registered"],
    "field_date": ["contested", "n_candidates", "incumbent_vs_incumbent", "other_incumbent", "top_challenger",
                   "top_challenger_party"],
}

# Each dated feature group and the column holding the date its values run to (the as-of rule).
DATED_GROUPS = {
    "money": "money_cvg_end",
    "money_early": "money_early_cvg_end",
    "money_yearend": "money_ye_cvg_end",
    "outside_spending": "os_last_date",
    "endorsements": "end_last_date",
    "ideology": "ideology_date",
    "misconduct": "misconduct_last_date",
    "challenger_quality": "chal_quality_date",
    "outside_money_fec": "pi_fec_last_date",
    "outside_money_norpac": "norpac_fec_last_date",
    "outside_money_jstreet": "js_fec_last_date",
    "outside_spending_ie24": "ie24_cvg_end",
    "challenger_history": "prev_primary_date",
}

# Groups that include money spent after the primary (full-cycle totals): they leak the outcome of past
# cycles.  ``features.view.asof.as_of_view`` blanks them in every leak-free money mode and keeps them only in
# the leaky ``yearend`` mode (``forecasting.evaluation.backtest.LEAKY_MONEY_MODES``), which exists to measure the leak.
LEAKY_GROUPS = ("money_yearend", "outside_spending_ie24")
