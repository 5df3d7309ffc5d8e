"""Evidence about a race, each source dated: FEC money, outside spending, endorsements, misconduct, ideology, challengers, the watchlist."""
