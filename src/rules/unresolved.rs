//! `unresolved`: a value of infrastructure code iamlint cannot compute (a parameter
//! without a default, an intrinsic function it does not evaluate, a policy or principal
//! outside the input). Never dropped silently: it is read in the direction that does not
//! hide access, and said so.

use super::{Level, Rule};

pub const RULE: Rule = Rule {
    id: "unresolved",
    name: "Unresolved",
    level: Level::Warning,
    summary: "A value of infrastructure code could not be computed; iamlint read it so as not to hide access",
    explanation: "\
## unresolved (warning)

**What it means.** A template or module holds a value iamlint cannot compute offline: a
parameter without a `Default`, an intrinsic function it does not evaluate
(`Fn::ImportValue`, `Fn::GetAZs`, …), a condition it cannot decide, a managed policy,
group or principal that is not in the input, a SAM policy template.

**What iamlint did.** It read the value in the direction that does not hide access: an
unknown string is `*` (an Allow with it grants more, never less); a Deny holding one counts
as conditional, so it removes nothing; a policy outside the input adds nothing, and this
warning says its grants are unknown.

**How to fix.** Give the parameter a `Default`, write the value literally, or check the
policy it names on its own. Suppress it with an `[[ignore]]` entry when the wildcard is
what you mean.
",
    security_severity: "3.0",
};
