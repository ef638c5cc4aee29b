"""Calls for papers, submissions with every version kept, review, and accepted papers as talks."""
