"""SEPA files: collective direct debits (pain.008.001.08), built with sepaxml and checked
against the ISO 20022 XSD it bundles before they are offered."""
