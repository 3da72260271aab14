"""The first-run set-up wizard (Assistente de configuração)."""
