"""Judging the evidence: study design and evidence level, certainty and verdict, from rules kept as data."""
