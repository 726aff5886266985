"""Policy as code: the model, the loader/validator, and the default Amazon-seller policy."""

from tutela.core.policy.load import default_policy_text, load_policy, parse_policy
from tutela.core.policy.model import Access, LegalBasis, Policy, Purpose, RetentionRule, Role

__all__ = [
    "Access",
    "LegalBasis",
    "Policy",
    "Purpose",
    "RetentionRule",
    "Role",
    "default_policy_text",
    "load_policy",
    "parse_policy",
]
