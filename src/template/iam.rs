//! Permissions: which IAM actions write (and so make an edge) and which only read (a note),
//! the SAM policy templates that name a resource, and the AWS managed policies that grant
//! writes on a whole service.

use crate::model::ServiceKind;

/// What an action does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Sends or puts something: an edge.
    Write,
    /// Reads or receives: a note.
    Read,
}

/// An AWS service whose resources the model shows.
#[derive(Debug, Clone, Copy)]
pub(super) struct AwsService {
    /// The IAM prefix (`sqs`).
    pub prefix: &'static str,
    /// The resource types it has.
    pub types: &'static [&'static str],
    /// Actions that write (lower case), with the event a write edge carries; the first that
    /// an action matches names the edge.
    pub writes: &'static [(&'static str, &'static str)],
    /// Actions that read (lower case).
    pub reads: &'static [&'static str],
}

/// The services an edge can reach, by IAM prefix.
pub(super) const SERVICES: &[AwsService] = &[
    AwsService {
        prefix: "s3",
        types: &["AWS::S3::Bucket"],
        writes: &[
            ("putobject", "PutObject"),
            ("copyobject", "PutObject"),
            ("restoreobject", "PutObject"),
            ("deleteobject", "DeleteObject"),
        ],
        reads: &["getobject", "listbucket", "getobjectversion", "headobject"],
    },
    AwsService {
        prefix: "sqs",
        types: &["AWS::SQS::Queue"],
        writes: &[
            ("sendmessage", "SendMessage"),
            ("sendmessagebatch", "SendMessage"),
        ],
        reads: &[
            "receivemessage",
            "deletemessage",
            "getqueueattributes",
            "getqueueurl",
        ],
    },
    AwsService {
        prefix: "sns",
        types: &["AWS::SNS::Topic"],
        writes: &[("publish", "Publish")],
        reads: &[
            "subscribe",
            "gettopicattributes",
            "listsubscriptionsbytopic",
        ],
    },
    AwsService {
        prefix: "dynamodb",
        types: &[
            "AWS::DynamoDB::Table",
            "AWS::DynamoDB::GlobalTable",
            "AWS::Serverless::SimpleTable",
        ],
        writes: &[
            ("putitem", "PutItem"),
            ("updateitem", "PutItem"),
            ("batchwriteitem", "PutItem"),
            ("transactwriteitems", "PutItem"),
            ("partiqlinsert", "PutItem"),
            ("partiqlupdate", "PutItem"),
            ("deleteitem", "DeleteItem"),
        ],
        reads: &[
            "getitem",
            "query",
            "scan",
            "batchgetitem",
            "describetable",
            "getrecords",
            "getsharditerator",
            "describestream",
            "liststreams",
        ],
    },
    AwsService {
        prefix: "events",
        types: &["AWS::Events::EventBus"],
        writes: &[("putevents", "PutEvents")],
        reads: &["describeeventbus"],
    },
    AwsService {
        prefix: "lambda",
        types: &["AWS::Serverless::Function", "AWS::Lambda::Function"],
        writes: &[
            ("invokefunction", "Invoke"),
            ("invokeasync", "Invoke"),
            ("invokefunctionurl", "Invoke"),
        ],
        reads: &["getfunction", "getfunctionconfiguration"],
    },
    AwsService {
        prefix: "states",
        types: &[
            "AWS::Serverless::StateMachine",
            "AWS::StepFunctions::StateMachine",
        ],
        writes: &[
            ("startexecution", "StartExecution"),
            ("startsyncexecution", "StartExecution"),
        ],
        reads: &["describeexecution", "listexecutions"],
    },
    AwsService {
        prefix: "kinesis",
        types: &["AWS::Kinesis::Stream"],
        writes: &[("putrecord", "PutRecord"), ("putrecords", "PutRecord")],
        reads: &[
            "getrecords",
            "getsharditerator",
            "describestream",
            "liststreams",
        ],
    },
    AwsService {
        prefix: "firehose",
        types: &["AWS::KinesisFirehose::DeliveryStream"],
        writes: &[("putrecord", "PutRecord"), ("putrecordbatch", "PutRecord")],
        reads: &["describedeliverystream"],
    },
    AwsService {
        prefix: "execute-api",
        types: &[
            "AWS::ApiGatewayV2::Api",
            "AWS::ApiGateway::RestApi",
            "AWS::Serverless::Api",
        ],
        writes: &[
            ("manageconnections", "PostToConnection"),
            ("invoke", "Invoke"),
        ],
        reads: &[],
    },
];

/// What an IAM action (`sqs:SendMessage`, `s3:Put*`, `*`) does on each service it covers:
/// (service, access, event of a write).
pub(super) fn classify(action: &str) -> Vec<(&'static AwsService, Access, &'static str)> {
    let action = action.to_ascii_lowercase();
    let (prefix, verb) = action.split_once(':').unwrap_or(("*", action.as_str()));
    let mut out = Vec::new();
    for service in SERVICES {
        if !glob(prefix, service.prefix) {
            continue;
        }
        if let Some((_, event)) = service.writes.iter().find(|(w, _)| glob(verb, w)) {
            out.push((service, Access::Write, *event));
        } else if service.reads.iter().any(|r| glob(verb, r)) {
            out.push((service, Access::Read, ""));
        }
    }
    out
}

/// The service a resource type belongs to.
pub(super) fn service_of_type(ty: &str) -> Option<&'static AwsService> {
    SERVICES.iter().find(|s| s.types.contains(&ty))
}

/// `*` and `?` wildcards, as IAM and S3 key globs use them. O(len(pattern) * len(text)).
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A SAM policy template that names one resource: its name, the parameter that names the
/// resource, and what it allows.
pub(super) const POLICY_TEMPLATES: &[(&str, &str, Access, &str)] = &[
    ("DynamoDBCrudPolicy", "TableName", Access::Write, "PutItem"),
    ("DynamoDBWritePolicy", "TableName", Access::Write, "PutItem"),
    ("DynamoDBReadPolicy", "TableName", Access::Read, ""),
    ("DynamoDBStreamReadPolicy", "TableName", Access::Read, ""),
    (
        "DynamoDBBackupFullAccessPolicy",
        "TableName",
        Access::Read,
        "",
    ),
    (
        "SQSSendMessagePolicy",
        "QueueName",
        Access::Write,
        "SendMessage",
    ),
    ("SQSPollerPolicy", "QueueName", Access::Read, ""),
    (
        "SNSPublishMessagePolicy",
        "TopicName",
        Access::Write,
        "Publish",
    ),
    ("SNSCrudPolicy", "TopicName", Access::Write, "Publish"),
    (
        "EventBridgePutEventsPolicy",
        "EventBusName",
        Access::Write,
        "PutEvents",
    ),
    ("S3CrudPolicy", "BucketName", Access::Write, "PutObject"),
    ("S3WritePolicy", "BucketName", Access::Write, "PutObject"),
    (
        "S3FullAccessPolicy",
        "BucketName",
        Access::Write,
        "PutObject",
    ),
    ("S3ReadPolicy", "BucketName", Access::Read, ""),
    (
        "LambdaInvokePolicy",
        "FunctionName",
        Access::Write,
        "Invoke",
    ),
    (
        "StepFunctionsExecutionPolicy",
        "StateMachineName",
        Access::Write,
        "StartExecution",
    ),
    (
        "StepFunctionsCallbackPolicy",
        "StateMachineName",
        Access::Read,
        "",
    ),
    (
        "KinesisCrudPolicy",
        "StreamName",
        Access::Write,
        "PutRecord",
    ),
    ("KinesisStreamReadPolicy", "StreamName", Access::Read, ""),
    (
        "FirehoseWritePolicy",
        "DeliveryStreamName",
        Access::Write,
        "PutRecord",
    ),
    (
        "FirehoseCrudPolicy",
        "DeliveryStreamName",
        Access::Write,
        "PutRecord",
    ),
];

/// AWS managed policies (by the end of their name or ARN) that allow writes on every resource
/// of a service: an edge only where an environment variable names the target.
pub(super) const MANAGED_POLICIES: &[(&str, &str)] = &[
    ("AmazonSQSFullAccess", "sqs"),
    ("AmazonSNSFullAccess", "sns"),
    ("AmazonS3FullAccess", "s3"),
    ("AmazonDynamoDBFullAccess", "dynamodb"),
    ("AmazonEventBridgeFullAccess", "events"),
    ("AmazonKinesisFullAccess", "kinesis"),
    ("AmazonKinesisFirehoseFullAccess", "firehose"),
    ("AWSStepFunctionsFullAccess", "states"),
    ("AWSLambda_FullAccess", "lambda"),
    ("AWSLambdaRole", "lambda"),
];

/// The model's kind for the resources of an IAM prefix (for the wildcard of a statement).
pub(super) fn kind_of_prefix(prefix: &str) -> Option<ServiceKind> {
    Some(match prefix {
        "s3" => ServiceKind::Bucket,
        "sqs" => ServiceKind::Queue,
        "sns" => ServiceKind::Topic,
        "dynamodb" => ServiceKind::Table,
        "events" => ServiceKind::Bus,
        "lambda" => ServiceKind::Function,
        "states" => ServiceKind::StateMachine,
        "kinesis" | "firehose" => ServiceKind::Stream,
        "execute-api" => ServiceKind::Gateway,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_matched_with_wildcards() {
        let sends = classify("sqs:SendMessage");
        assert_eq!(sends.len(), 1);
        assert_eq!((sends[0].0.prefix, sends[0].1), ("sqs", Access::Write));
        let puts = classify("s3:Put*");
        assert_eq!((puts[0].1, puts[0].2), (Access::Write, "PutObject"));
        assert_eq!(classify("s3:GetObject")[0].1, Access::Read);
        assert_eq!(classify("s3:DeleteObject")[0].2, "DeleteObject");
        // `*` writes everywhere.
        assert_eq!(classify("*").len(), SERVICES.len());
        assert!(classify("logs:PutLogEvents").is_empty());
        assert!(glob("thumbs/*", "thumbs/a.png"));
        assert!(!glob("thumbs/*", "uploads/a.png"));
        assert!(glob("*.png", "x/a.png"));
    }
}
