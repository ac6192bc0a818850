"""The ground truth: what a perfect mediamon run over the sample web would report, and a
ready config."""
