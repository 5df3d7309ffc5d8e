"""Operations: re-scoring around filing deadlines and primaries, the scheduler."""
