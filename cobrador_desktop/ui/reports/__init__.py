"""Documents the program writes for people: PDFs of a debtor's dossier and the monthly report."""
