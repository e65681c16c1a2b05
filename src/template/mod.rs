//! SAM and CloudFormation templates: export of a design as a deployable SAM template.

pub mod export;
