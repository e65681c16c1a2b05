//! The export per construct (templates compared as parsed JSON), the circular references it
//! avoids, and the round trip of an imported template.

use serde_json::{Value, json};

use super::yaml::tests::read_back;
use super::*;
use crate::io::parse_design;
use crate::model::{EventEdge, TemplateSource};

fn design(text: &str) -> Design {
    parse_design(text.as_bytes(), "t.json").expect("a valid design")
}

/// A design of `services` and `edges` (JSON lists), exported.
fn export(services: &str, edges: &str) -> Exported {
    let text = format!(r#"{{"version": 2, "services": {services}, "edges": {edges}}}"#);
    export_sam(&design(&text))
}

fn resource<'a>(exported: &'a Exported, id: &str) -> &'a Value {
    let found = &exported.document["Resources"][id];
    assert!(
        !found.is_null(),
        "no resource {id} in {:#}",
        exported.document
    );
    found
}

fn sample(name: &str) -> Design {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    crate::io::load_path(&path).expect("the file loads")
}

#[test]
fn a_function_gets_its_properties_and_defaults_for_what_it_does_not_say() {
    let out = export(
        r#"[{"id": "place-order", "name": "Place order", "kind": "function",
             "properties": {"runtime": "nodejs22.x", "memory_mb": 256, "timeout_s": 10,
                            "Tracing": "Active", "colour": "blue"}}]"#,
        "[]",
    );
    assert_eq!(out.document["Transform"], json!(SAM_TRANSFORM));
    assert_eq!(
        resource(&out, "PlaceOrder"),
        &json!({"Type": "AWS::Serverless::Function", "Properties": {
            "Description": "Place order",
            "CodeUri": "functions/place-order/",
            "Handler": "app.handler",
            "Runtime": "nodejs22.x",
            "MemorySize": 256,
            "Timeout": 10,
            "Tracing": "Active"
        }})
    );
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn gateway_routes_become_api_events_and_a_routeless_gateway_is_left_out() {
    let out = export(
        r#"[{"id": "api", "kind": "gateway", "routes": [{"route": "GET /orders/{id}", "event": "Get"}]},
            {"id": "idle", "kind": "gateway"},
            {"id": "f", "kind": "function"}]"#,
        r#"[{"from": "api", "to": "f", "event": "Get"}, {"from": "api", "to": "f", "event": "Unrouted"}]"#,
    );
    assert_eq!(resource(&out, "api")["Type"], json!("AWS::Serverless::Api"));
    let events = &resource(&out, "f")["Properties"]["Events"];
    assert_eq!(
        events["Get"],
        json!({"Type": "Api", "Properties": {"Path": "/orders/{id}", "Method": "get", "RestApiId": {"Ref": "api"}}})
    );
    assert_eq!(events["Unrouted"]["Properties"]["Path"], json!("/unrouted"));
    assert!(out.document["Resources"].get("idle").is_none());
    assert!(
        out.notes.iter().any(|n| n.starts_with("gateway idle")),
        "{:?}",
        out.notes
    );
    assert!(
        out.document["Outputs"]["apiUrl"]["Value"]["Fn::Sub"]
            .as_str()
            .unwrap()
            .contains("${api}")
    );
}

#[test]
fn a_route_goes_to_one_function_and_an_unknown_method_becomes_any() {
    let out = export(
        r#"[{"id": "api", "kind": "gateway", "routes": [{"route": "FETCH /x", "event": "X"}]},
            {"id": "f", "kind": "function"}, {"id": "g", "kind": "function"}]"#,
        r#"[{"from": "api", "to": "f", "event": "X"}, {"from": "api", "to": "g", "event": "X"}]"#,
    );
    assert_eq!(
        resource(&out, "f")["Properties"]["Events"]["X"]["Properties"]["Method"],
        json!("any")
    );
    assert!(resource(&out, "g")["Properties"].get("Events").is_none());
    assert!(
        out.notes[0].contains("api -> g (X): left out: another function already serves this route"),
        "{:?}",
        out.notes
    );
}

#[test]
fn sams_implicit_api_has_no_resource_of_its_own() {
    let out = export(
        r#"[{"id": "ServerlessHttpApi", "kind": "gateway", "routes": [{"route": "POST /x", "event": "X"}]},
            {"id": "f", "kind": "function"}]"#,
        r#"[{"from": "ServerlessHttpApi", "to": "f", "event": "X"}]"#,
    );
    assert!(out.document["Resources"].get("ServerlessHttpApi").is_none());
    assert_eq!(
        resource(&out, "f")["Properties"]["Events"]["X"],
        json!({"Type": "HttpApi", "Properties": {"Path": "/x", "Method": "post"}})
    );
}

#[test]
fn a_queue_triggers_its_consumer_and_redrives_to_its_dead_letter_queue() {
    let out = export(
        r#"[{"id": "q", "kind": "queue", "properties": {"visibility_timeout_s": 60, "max_receive_count": 3}},
            {"id": "dlq", "kind": "queue"}, {"id": "other", "kind": "queue"},
            {"id": "worker", "kind": "function"}]"#,
        r#"[{"from": "q", "to": "worker", "event": "Job"}, {"from": "q", "to": "dlq", "event": "Failed"},
            {"from": "q", "to": "other", "event": "Failed"}]"#,
    );
    assert_eq!(
        resource(&out, "q")["Properties"],
        json!({"VisibilityTimeout": 60, "RedrivePolicy": {
            "deadLetterTargetArn": {"Fn::GetAtt": ["dlq", "Arn"]}, "maxReceiveCount": 3}})
    );
    assert_eq!(
        resource(&out, "worker")["Properties"]["Events"]["Job"],
        json!({"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["q", "Arn"]}}})
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("q -> other") && n.contains("one dead-letter queue")),
        "{:?}",
        out.notes
    );
}

#[test]
fn a_fifo_queue_gets_a_name_ending_in_fifo() {
    let out = export(
        r#"[{"id": "q", "kind": "queue", "properties": {"fifo": true}}]"#,
        "[]",
    );
    assert_eq!(
        resource(&out, "q")["Properties"],
        json!({"QueueName": {"Fn::Sub": "${AWS::StackName}-q.fifo"}, "FifoQueue": true})
    );
}

#[test]
fn a_topic_triggers_functions_and_feeds_queues_through_a_subscription() {
    let out = export(
        r#"[{"id": "t", "kind": "topic"}, {"id": "f", "kind": "function"}, {"id": "q", "kind": "queue"}]"#,
        r#"[{"from": "t", "to": "f", "event": "E"}, {"from": "t", "to": "q", "event": "E"}]"#,
    );
    assert_eq!(
        resource(&out, "f")["Properties"]["Events"]["E"],
        json!({"Type": "SNS", "Properties": {"Topic": {"Ref": "t"}}})
    );
    assert_eq!(
        resource(&out, "tToqSubscription")["Properties"],
        json!({"TopicArn": {"Ref": "t"}, "Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["q", "Arn"]},
               "RawMessageDelivery": true})
    );
    let policy = resource(&out, "qPolicy");
    assert_eq!(policy["Type"], json!("AWS::SQS::QueuePolicy"));
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"][0]["Condition"],
        json!({"ArnEquals": {"aws:SourceArn": {"Ref": "t"}}})
    );
}

#[test]
fn a_bucket_triggers_with_its_key_filter_and_its_writer_names_it_without_a_reference() {
    let out = export(
        r#"[{"id": "uploads", "kind": "bucket", "properties": {"versioned": true}},
            {"id": "thumbs", "kind": "function"}]"#,
        r#"[{"from": "uploads", "to": "thumbs", "event": "ObjectCreated", "filter": {"prefix": "in/", "suffix": ".jpg"}},
            {"from": "thumbs", "to": "uploads", "event": "PutThumbnail"}]"#,
    );
    let name = json!({"Fn::Sub": "${AWS::StackName}-${AWS::AccountId}-uploads"});
    assert_eq!(
        resource(&out, "uploads")["Properties"],
        json!({"BucketName": name, "VersioningConfiguration": {"Status": "Enabled"}})
    );
    let props = &resource(&out, "thumbs")["Properties"];
    assert_eq!(
        props["Events"]["ObjectCreated"]["Properties"],
        json!({"Bucket": {"Ref": "uploads"}, "Events": "s3:ObjectCreated:*",
               "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".jpg"}]}}})
    );
    // The bucket's notification depends on the function: a !Ref back would be circular.
    assert_eq!(
        props["Policies"],
        json!([{"S3CrudPolicy": {"BucketName": name}}])
    );
    assert_eq!(
        props["Environment"]["Variables"]["UPLOADS_BUCKET_NAME"],
        name
    );
}

#[test]
fn streams_tables_schedules_and_buses_trigger_their_functions() {
    let out = export(
        r#"[{"id": "clicks", "kind": "stream", "properties": {"shards": 2}},
            {"id": "orders", "kind": "table", "properties": {"key": "pk"}},
            {"id": "nightly", "kind": "schedule", "properties": {"expression": "cron(0 3 * * ? *)"}},
            {"id": "bus", "kind": "bus"}, {"id": "default", "kind": "bus"},
            {"id": "f", "kind": "function"}]"#,
        r#"[{"from": "clicks", "to": "f", "event": "Click"}, {"from": "orders", "to": "f", "event": "Changed"},
            {"from": "nightly", "to": "f", "event": "Tick"},
            {"from": "bus", "to": "f", "event": "Big", "filter": {"pattern": {"detail": {"total": [{"numeric": [">", 100]}]}}}},
            {"from": "default", "to": "f", "event": "Any"}]"#,
    );
    let events = &resource(&out, "f")["Properties"]["Events"];
    assert_eq!(
        events["Click"],
        json!({"Type": "Kinesis", "Properties": {"Stream": {"Fn::GetAtt": ["clicks", "Arn"]}, "StartingPosition": "LATEST"}})
    );
    assert_eq!(
        resource(&out, "clicks")["Properties"]["ShardCount"],
        json!(2)
    );
    assert_eq!(
        events["Changed"]["Properties"]["Stream"],
        json!({"Fn::GetAtt": ["orders", "StreamArn"]})
    );
    assert_eq!(
        resource(&out, "orders")["Properties"]["StreamSpecification"],
        json!({"StreamViewType": "NEW_AND_OLD_IMAGES"})
    );
    assert_eq!(
        events["Tick"],
        json!({"Type": "Schedule", "Properties": {"Schedule": "cron(0 3 * * ? *)"}})
    );
    assert!(out.document["Resources"].get("nightly").is_none());
    assert_eq!(
        events["Big"]["Properties"],
        json!({"Pattern": {"detail": {"total": [{"numeric": [">", 100]}]}}, "EventBusName": {"Ref": "bus"}})
    );
    assert_eq!(
        resource(&out, "bus")["Properties"],
        json!({"Name": {"Fn::Sub": "${AWS::StackName}-bus"}})
    );
    // The default bus exists already: no resource, no bus name on the rule.
    assert!(out.document["Resources"].get("default").is_none());
    assert_eq!(
        events["Any"]["Properties"],
        json!({"Pattern": {"detail-type": ["Any"]}})
    );
}

#[test]
fn every_write_edge_gets_its_least_privilege_policy_template() {
    let out = export(
        r#"[{"id": "w", "kind": "function"}, {"id": "reader", "kind": "function", "behavior": "store-get"},
            {"id": "f", "kind": "function"}, {"id": "q", "kind": "queue"}, {"id": "t", "kind": "topic"},
            {"id": "tab", "kind": "table"}, {"id": "b", "kind": "bucket"}, {"id": "bus", "kind": "bus"},
            {"id": "sm", "kind": "state-machine"}, {"id": "s", "kind": "stream"}]"#,
        r#"[{"from": "w", "to": "f", "event": "Call"}, {"from": "w", "to": "q", "event": "Send"},
            {"from": "w", "to": "t", "event": "Publish"}, {"from": "w", "to": "tab", "event": "Put", "mode": "sync"},
            {"from": "w", "to": "tab", "event": "PutAgain", "mode": "sync"},
            {"from": "w", "to": "b", "event": "Put"}, {"from": "w", "to": "bus", "event": "Emit"},
            {"from": "w", "to": "sm", "event": "Start"}, {"from": "w", "to": "s", "event": "Record"},
            {"from": "reader", "to": "tab", "event": "Item", "mode": "sync"},
            {"from": "reader", "to": "b", "event": "GetObject"}]"#,
    );
    assert_eq!(
        resource(&out, "w")["Properties"]["Policies"],
        json!([
            {"LambdaInvokePolicy": {"FunctionName": {"Ref": "f"}}},
            {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["q", "QueueName"]}}},
            {"SNSPublishMessagePolicy": {"TopicName": {"Fn::GetAtt": ["t", "TopicName"]}}},
            {"DynamoDBCrudPolicy": {"TableName": {"Ref": "tab"}}},
            {"S3CrudPolicy": {"BucketName": {"Ref": "b"}}},
            {"EventBridgePutEventsPolicy": {"EventBusName": {"Ref": "bus"}}},
            {"StepFunctionsExecutionPolicy": {"StateMachineName": {"Fn::GetAtt": ["sm", "Name"]}}},
            {"KinesisCrudPolicy": {"StreamName": {"Ref": "s"}}}
        ])
    );
    assert_eq!(
        resource(&out, "w")["Properties"]["Environment"]["Variables"],
        json!({
            "F_FUNCTION_NAME": {"Ref": "f"},
            "Q_QUEUE_URL": {"Ref": "q"},
            "T_TOPIC_ARN": {"Ref": "t"},
            "TAB_TABLE_NAME": {"Ref": "tab"},
            "B_BUCKET_NAME": {"Ref": "b"},
            "BUS_BUS_NAME": {"Ref": "bus"},
            "SM_STATE_MACHINE_ARN": {"Ref": "sm"},
            "S_STREAM_NAME": {"Ref": "s"}
        })
    );
    assert_eq!(
        resource(&out, "reader")["Properties"]["Policies"],
        json!([{"DynamoDBReadPolicy": {"TableName": {"Ref": "tab"}}}, {"S3ReadPolicy": {"BucketName": {"Ref": "b"}}}])
    );
}

#[test]
fn a_state_machine_chains_a_task_per_edge_with_its_substitutions_and_policies() {
    let out = export(
        r#"[{"id": "api", "kind": "gateway", "routes": [{"route": "POST /flow", "event": "Go"}]},
            {"id": "flow", "kind": "state-machine", "properties": {"type": "EXPRESS"}},
            {"id": "f", "kind": "function"}, {"id": "q", "kind": "queue"}]"#,
        r#"[{"from": "api", "to": "flow", "event": "Go"}, {"from": "flow", "to": "f", "event": "Work"},
            {"from": "flow", "to": "q", "event": "Done"}]"#,
    );
    let props = &resource(&out, "flow")["Properties"];
    assert_eq!(props["Type"], json!("EXPRESS"));
    assert_eq!(props["Events"]["Go"]["Type"], json!("Api"));
    let states = &props["Definition"]["States"];
    assert_eq!(states["Start"]["Next"], json!("SendWork"));
    assert_eq!(states["SendWork"]["Next"], json!("SendDone"));
    assert_eq!(states["SendDone"]["End"], json!(true));
    assert_eq!(
        states["SendWork"]["Parameters"]["FunctionName"],
        json!("${fRef}")
    );
    assert_eq!(
        props["DefinitionSubstitutions"],
        json!({"fRef": {"Fn::GetAtt": ["f", "Arn"]}, "qRef": {"Ref": "q"}})
    );
    assert_eq!(props["Policies"].as_array().unwrap().len(), 2);
}

#[test]
fn rules_carry_bus_and_schedule_events_to_queues_and_topics() {
    let out = export(
        r#"[{"id": "bus", "kind": "bus"}, {"id": "tick", "kind": "schedule"},
            {"id": "q", "kind": "queue"}, {"id": "t", "kind": "topic"}]"#,
        r#"[{"from": "bus", "to": "t", "event": "Alert"}, {"from": "tick", "to": "q", "event": "Tick"}]"#,
    );
    let rule = &resource(&out, "busTotRule")["Properties"];
    assert_eq!(rule["EventPattern"], json!({"detail-type": ["Alert"]}));
    assert_eq!(rule["Targets"], json!([{"Id": "t", "Arn": {"Ref": "t"}}]));
    assert_eq!(
        resource(&out, "tPolicy")["Type"],
        json!("AWS::SNS::TopicPolicy")
    );
    let schedule = &resource(&out, "tickToqRule")["Properties"];
    assert_eq!(schedule["ScheduleExpression"], json!("rate(5 minutes)"));
    assert_eq!(
        resource(&out, "qPolicy")["Properties"]["PolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "events.amazonaws.com"})
    );
}

#[test]
fn what_sam_cannot_say_is_a_note_not_an_error() {
    let out = export(
        r#"[{"id": "q", "kind": "queue"}, {"id": "t", "kind": "topic"}, {"id": "f", "kind": "function"},
            {"id": "g", "kind": "gateway"}]"#,
        r#"[{"from": "q", "to": "t", "event": "E"}, {"from": "f", "to": "g", "event": "Reply"},
            {"from": "q", "to": "f", "event": "E", "filter": {"pattern": {"a": ["b"]}}}]"#,
    );
    assert_eq!(out.notes.len(), 4, "{:?}", out.notes);
    assert!(
        out.notes[0].contains("q -> t (E): left out: SAM has no queue-to-topic"),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes[1].contains("f -> g (Reply): left out"),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes[2].contains("its filter is left out"),
        "{:?}",
        out.notes
    );
    assert!(out.notes[3].starts_with("gateway g"), "{:?}", out.notes);
}

#[test]
fn the_self_looping_poller_of_the_loops_sample_is_named_not_referenced() {
    let out = export_sam(&sample("samples/event_loops.json"));
    let poller = &resource(&out, "poller")["Properties"];
    let name = json!({"Fn::Sub": "${AWS::StackName}-poller"});
    assert_eq!(poller["FunctionName"], name);
    assert_eq!(
        poller["Policies"],
        json!([{"LambdaInvokePolicy": {"FunctionName": name}},
               {"LambdaInvokePolicy": {"FunctionName": {"Ref": "reports"}}}])
    );
    // Its code finds itself by the same name, and the retry queue by reference.
    assert_eq!(
        poller["Environment"]["Variables"]["POLLER_FUNCTION_NAME"],
        name
    );
    assert_eq!(
        resource(&out, "ProcessPayment")["Properties"]["Environment"]["Variables"]["RETRY_QUEUE_URL"],
        json!({"Ref": "RetryQueue"})
    );
    // Only what closes a circular reference gets a fixed name.
    assert!(
        resource(&out, "reports")["Properties"]
            .get("FunctionName")
            .is_none()
    );
    assert!(
        resource(&out, "notifier")["Properties"]
            .get("FunctionName")
            .is_none()
    );
    // The retry loop through the queue is no circular *reference*: the queue depends on nothing.
    assert_eq!(
        resource(&out, "ProcessPayment")["Properties"]["Policies"][0],
        json!({"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["RetryQueue", "QueueName"]}}})
    );
}

#[test]
fn every_sample_is_written_as_yaml_that_reads_back_to_the_same_template() {
    for name in [
        "samples/register_login.json",
        "samples/ecommerce_saga.json",
        "samples/event_loops.json",
        "tests/fixtures/tricky_names.json",
        "tests/fixtures/sam_constructs.json",
    ] {
        let out = export_sam(&sample(name));
        let text = out.to_yaml();
        assert!(
            text.contains("!Ref") || text.contains("!GetAtt"),
            "{name}: {text}"
        );
        assert!(
            !text.contains("Fn::GetAtt") && !text.contains("\"Ref\""),
            "{name}: {text}"
        );
        assert_eq!(read_back(&text), out.document, "{name}");
    }
}

// ---- The round trip ----

/// A SAM template with everything the design does not show: parameters, mappings, conditions,
/// globals, metadata, outputs, an IAM role, a resource type the model does not know, a
/// resource condition, intrinsics in properties, a managed policy by name.
fn template() -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Orders",
        "Parameters": {"Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}},
        "Mappings": {"Sizes": {"dev": {"Memory": 128}, "prod": {"Memory": 1024}}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        "Globals": {"Function": {"Runtime": "python3.12", "Timeout": 10}},
        "Metadata": {"AWS::ServerlessRepo::Application": {"Name": "orders"}},
        "Resources": {
            "OrdersTable": {"Type": "AWS::Serverless::SimpleTable"},
            "OrderQueue": {"Type": "AWS::SQS::Queue", "Properties": {
                "VisibilityTimeout": 60,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["OrderDLQ", "Arn"]}, "maxReceiveCount": 3}}},
            "OrderDLQ": {"Type": "AWS::SQS::Queue"},
            "PlaceOrderFunction": {"Type": "AWS::Serverless::Function", "Properties": {
                "CodeUri": "src/place/",
                "Handler": "app.handler",
                "MemorySize": {"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]},
                "Environment": {"Variables": {"TABLE": {"Ref": "OrdersTable"}, "QUEUE_URL": {"Ref": "OrderQueue"}}},
                "Events": {"PlaceOrder": {"Type": "Api", "Properties": {"Path": "/orders", "Method": "post"}}},
                "Policies": [
                    {"DynamoDBCrudPolicy": {"TableName": {"Ref": "OrdersTable"}}},
                    {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["OrderQueue", "QueueName"]}}},
                    "AWSXrayWriteOnlyAccess"
                ]}},
            "WorkerFunction": {"Type": "AWS::Serverless::Function", "Condition": "IsProd", "Properties": {
                "CodeUri": "src/worker/",
                "Handler": "app.handler",
                "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]},
                "Events": {"Jobs": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["OrderQueue", "Arn"]}, "BatchSize": 5}}}}},
            "WorkerRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"}]}},
            "Dashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": {"Fn::Sub": "{\"widgets\": [], \"region\": \"${AWS::Region}\"}"}}}
        },
        "Outputs": {
            "ApiUrl": {"Value": {"Fn::Sub": "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"}},
            "WorkerArn": {"Value": {"Fn::GetAtt": ["WorkerFunction", "Arn"]}, "Condition": "IsProd"}
        }
    })
}

/// The design an import makes of [`template`], with the template kept: what the importer's
/// `TemplateSource::capture` call gives.
fn imported() -> Design {
    let mut design = design(
        r#"{"version": 2, "name": "Orders", "services": [
            {"id": "ServerlessRestApi", "kind": "gateway", "routes": [{"route": "POST /orders", "event": "PlaceOrder"}]},
            {"id": "PlaceOrderFunction", "kind": "function", "properties": {"code_uri": "src/place/", "handler": "app.handler", "runtime": "python3.12", "timeout_s": 10}},
            {"id": "OrdersTable", "kind": "table"},
            {"id": "OrderQueue", "kind": "queue", "properties": {"visibility_timeout_s": 60, "max_receive_count": 3}},
            {"id": "OrderDLQ", "kind": "queue"},
            {"id": "WorkerFunction", "kind": "function", "properties": {"code_uri": "src/worker/", "handler": "app.handler"}}
          ], "edges": [
            {"from": "ServerlessRestApi", "to": "PlaceOrderFunction", "event": "PlaceOrder"},
            {"from": "PlaceOrderFunction", "to": "OrdersTable", "event": "PutOrder", "mode": "sync"},
            {"from": "PlaceOrderFunction", "to": "OrderQueue", "event": "OrderPlaced"},
            {"from": "OrderQueue", "to": "WorkerFunction", "event": "Jobs"},
            {"from": "OrderQueue", "to": "OrderDLQ", "event": "Redrive"}
          ]}"#,
    );
    design.template = Some(std::sync::Arc::new(TemplateSource::capture(
        template(),
        &design,
    )));
    design
}

/// Asserts that exporting an unedited import gives back its template: the same sections, the
/// same resources with the same properties, compared parsed. For the importer's tests too:
/// call it with any design `import` made.
pub(crate) fn assert_unedited_round_trip(imported: &Design) {
    let source = imported
        .template
        .as_ref()
        .expect("an imported design keeps its template");
    let out = export_sam(imported);
    assert_eq!(out.document, source.document, "notes: {:?}", out.notes);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    // And through the YAML text.
    assert_eq!(read_back(&out.to_yaml()), source.document);
}

/// The template with one change made by `edit`.
fn template_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut expected = template();
    edit(&mut expected);
    expected
}

fn index(design: &Design, id: &str) -> usize {
    design.find(id).expect("a service").index()
}

#[test]
fn an_unedited_import_exports_its_template_unchanged() {
    assert_unedited_round_trip(&imported());
}

#[test]
fn the_template_survives_a_save_and_a_load() {
    let design = imported();
    let text = crate::io::to_json(&design);
    let again = parse_design(text.as_bytes(), "t.json").expect("loads");
    assert_eq!(again, design);
    assert_unedited_round_trip(&again);
    // From a file, which the fast reader hands to the general one for this field.
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("imported.json");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(crate::io::load_path(&path).unwrap(), design);
}

#[test]
fn a_changed_property_changes_only_its_own() {
    let mut design = imported();
    let worker = index(&design, "WorkerFunction");
    design.services[worker]
        .properties
        .insert("memory_mb", json!(512));
    design.services[worker].name = "Display names and positions are not in the template".into();
    let out = export_sam(&design);
    let expected = template_with(|t| {
        t["Resources"]["WorkerFunction"]["Properties"]["MemorySize"] = json!(512);
    });
    assert_eq!(out.document, expected);
    let queue = index(&design, "OrderQueue");
    design.services[queue]
        .properties
        .insert("max_receive_count", json!(9));
    design.services[worker].properties.remove("memory_mb");
    let out = export_sam(&design);
    let expected = template_with(|t| {
        t["Resources"]["OrderQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] = json!(9);
    });
    assert_eq!(out.document, expected);
}

#[test]
fn an_added_edge_adds_its_construct_and_a_removed_one_takes_its_construct_away() {
    let mut design = imported();
    let worker = design.find("WorkerFunction").unwrap();
    let table = design.find("OrdersTable").unwrap();
    let mut edge = EventEdge::new(worker, table, "PutResult");
    edge.mode = crate::model::EdgeMode::Sync;
    design.add_edge(edge);
    let out = export_sam(&design);
    let expected = template_with(|t| {
        let worker = &mut t["Resources"]["WorkerFunction"]["Properties"];
        worker["Policies"] = json!([{"DynamoDBCrudPolicy": {"TableName": {"Ref": "OrdersTable"}}}]);
        worker["Environment"] = json!({"Variables": {"ORDERS_TABLE_NAME": {"Ref": "OrdersTable"}}});
    });
    assert_eq!(out.document, expected, "{:?}", out.notes);
    // The worker has a role of its own: SAM would ignore the policy, and the note says so.
    assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
    assert!(
        out.notes[0].contains("a Role of its own"),
        "{:?}",
        out.notes
    );

    // Removing the API route and the queue write: their event and policy go, nothing else.
    let mut design = imported();
    let api = design.find("ServerlessRestApi").unwrap();
    design
        .edges
        .retain(|e| !(e.from == api || &*e.event == "OrderPlaced"));
    let out = export_sam(&design);
    let expected = template_with(|t| {
        let place = &mut t["Resources"]["PlaceOrderFunction"]["Properties"];
        place.as_object_mut().unwrap()["Events"] = json!({});
        place["Policies"] = json!([
            {"DynamoDBCrudPolicy": {"TableName": {"Ref": "OrdersTable"}}},
            "AWSXrayWriteOnlyAccess"
        ]);
    });
    assert_eq!(out.document, expected, "{:?}", out.notes);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn a_deleted_service_loses_its_resource_and_the_outputs_that_name_it() {
    let mut design = imported();
    let worker = design.find("WorkerFunction").unwrap();
    design.edges.retain(|e| e.to != worker);
    design.services.remove(worker.index());
    let out = export_sam(&design);
    let expected = template_with(|t| {
        t["Resources"]
            .as_object_mut()
            .unwrap()
            .shift_remove("WorkerFunction");
        t["Outputs"]
            .as_object_mut()
            .unwrap()
            .shift_remove("WorkerArn");
    });
    assert_eq!(out.document, expected);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("WorkerFunction: deleted")),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes.iter().any(|n| n.contains("output WorkerArn")),
        "{:?}",
        out.notes
    );
}

#[test]
fn a_new_service_gets_a_fresh_resource_beside_the_imported_ones() {
    let mut design = imported();
    // An id the template already uses for a resource the design does not show.
    design.add_service(crate::model::Service::new(
        "WorkerRole",
        ServiceKind::Function,
    ));
    let queue = design.find("OrderQueue").unwrap();
    let new = design.find("WorkerRole").unwrap();
    design.add_edge(EventEdge::new(queue, new, "Audit"));
    let out = export_sam(&design);
    // The role keeps its id; the new function gets another.
    assert_eq!(
        out.document["Resources"]["WorkerRole"],
        template()["Resources"]["WorkerRole"]
    );
    let added = resource(&out, "WorkerRole2");
    assert_eq!(added["Type"], json!("AWS::Serverless::Function"));
    assert_eq!(
        added["Properties"]["Events"]["Audit"]["Properties"]["Queue"],
        json!({"Fn::GetAtt": ["OrderQueue", "Arn"]})
    );
    let mut without = out.document.clone();
    without["Resources"]
        .as_object_mut()
        .unwrap()
        .shift_remove("WorkerRole2");
    assert_eq!(without, template());
}

/// `tests/fixtures/imported_orders.json`: [`imported`] edited (a property, an added and a
/// removed edge, a new service) and saved, so that CI's cfn-lint also checks a round-trip
/// export. Rewrites the fixture when `EVENT_ARCHITECT_WRITE_FIXTURES` is set.
fn edited_import() -> Design {
    let mut design = imported();
    let worker = design.find("WorkerFunction").unwrap();
    let table = design.find("OrdersTable").unwrap();
    design.services[worker.index()]
        .properties
        .insert("memory_mb", json!(512));
    let mut edge = EventEdge::new(worker, table, "PutResult");
    edge.mode = crate::model::EdgeMode::Sync;
    design.add_edge(edge);
    design.edges.retain(|e| &*e.event != "OrderPlaced");
    design.add_service(crate::model::Service::new(
        "audit-log",
        ServiceKind::Function,
    ));
    let queue = design.find("OrderQueue").unwrap();
    let audit = design.find("audit-log").unwrap();
    design.add_edge(EventEdge::new(queue, audit, "Audit"));
    design
}

#[test]
fn the_edited_import_fixture_is_the_one_these_tests_make() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/imported_orders.json");
    let design = edited_import();
    if std::env::var_os("EVENT_ARCHITECT_WRITE_FIXTURES").is_some() {
        crate::io::save(&path, &design).unwrap();
    }
    let saved = crate::io::load_path(&path).expect("the fixture loads");
    assert_eq!(
        saved, design,
        "tests/fixtures/imported_orders.json is stale: run this test with EVENT_ARCHITECT_WRITE_FIXTURES=1"
    );
    let out = export_sam(&saved);
    let expected = template_with(|t| {
        let worker = &mut t["Resources"]["WorkerFunction"]["Properties"];
        worker["MemorySize"] = json!(512);
        worker["Policies"] = json!([{"DynamoDBCrudPolicy": {"TableName": {"Ref": "OrdersTable"}}}]);
        worker["Environment"] = json!({"Variables": {"ORDERS_TABLE_NAME": {"Ref": "OrdersTable"}}});
        t["Resources"]["PlaceOrderFunction"]["Properties"]["Policies"] = json!([
            {"DynamoDBCrudPolicy": {"TableName": {"Ref": "OrdersTable"}}},
            "AWSXrayWriteOnlyAccess"
        ]);
    });
    let mut without_new = out.document.clone();
    let added = without_new["Resources"]
        .as_object_mut()
        .unwrap()
        .shift_remove("AuditLog")
        .expect("the new function");
    assert_eq!(without_new, expected);
    assert_eq!(added["Properties"]["Events"]["Audit"]["Type"], json!("SQS"));
}

#[test]
fn a_removed_write_takes_only_its_statements_out_of_an_inline_policy() {
    let mut template = template();
    template["Resources"]["PlaceOrderFunction"]["Properties"]["Policies"][2] = json!({
        "Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["OrderQueue", "Arn"]}},
            {"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}
        ]
    });
    let mut design = imported();
    design.template = Some(std::sync::Arc::new(TemplateSource::capture(
        template.clone(),
        &design,
    )));
    design.edges.retain(|e| &*e.event != "OrderPlaced");
    let out = export_sam(&design);
    assert_eq!(
        out.document["Resources"]["PlaceOrderFunction"]["Properties"]["Policies"],
        json!([
            {"DynamoDBCrudPolicy": {"TableName": {"Ref": "OrdersTable"}}},
            {"Statement": [{"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}]}
        ])
    );
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn a_construct_that_cannot_be_found_is_a_note() {
    let mut design = imported();
    // The template no longer has the policy the snapshot's edge came from.
    let mut template = template();
    template["Resources"]["PlaceOrderFunction"]["Properties"]["Policies"] =
        json!([{"DynamoDBCrudPolicy": {"TableName": {"Ref": "OrdersTable"}}}]);
    design.template = Some(std::sync::Arc::new(TemplateSource::capture(
        template, &design,
    )));
    design.edges.retain(|e| &*e.event != "OrderPlaced");
    let out = export_sam(&design);
    assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
    assert!(
        out.notes[0].starts_with("edge PlaceOrderFunction -> OrderQueue (OrderPlaced): no policy"),
        "{:?}",
        out.notes
    );
}

#[test]
fn a_plain_cloudformation_template_gets_the_sam_transform_and_its_own_types_are_not_wired() {
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "Role": {"Fn::GetAtt": ["R", "Arn"]},
                "Code": {"ZipFile": "def handler(e, c): pass"}}},
            "Q": {"Type": "AWS::SQS::Queue"},
            "R": {"Type": "AWS::IAM::Role"}
        }
    });
    let mut design = design(
        r#"{"version": 2, "services": [{"id": "Fn", "kind": "function", "properties": {"runtime": "python3.12"}},
            {"id": "Q", "kind": "queue"}]}"#,
    );
    design.template = Some(std::sync::Arc::new(TemplateSource::capture(
        template.clone(),
        &design,
    )));
    assert_unedited_round_trip(&design);
    // A write from the plain function, a setting of it, and a new SAM function.
    let (function, queue) = (design.find("Fn").unwrap(), design.find("Q").unwrap());
    design.add_edge(EventEdge::new(function, queue, "Send"));
    design.services[function.index()]
        .properties
        .insert("memory_mb", json!(256));
    design.add_service(crate::model::Service::new("worker", ServiceKind::Function));
    let worker = design.find("worker").unwrap();
    design.add_edge(EventEdge::new(queue, worker, "Job"));
    let out = export_sam(&design);
    assert_eq!(out.document["Resources"]["Fn"], template["Resources"]["Fn"]);
    assert_eq!(out.document["Transform"], json!(SAM_TRANSFORM));
    assert_eq!(
        resource(&out, "worker")["Properties"]["Events"]["Job"]["Type"],
        json!("SQS")
    );
    assert_eq!(out.notes.len(), 2, "{:?}", out.notes);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("Fn: its settings changed")),
        "{:?}",
        out.notes
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("Fn -> Q (Send): left out: Fn is an AWS::Lambda::Function")),
        "{:?}",
        out.notes
    );
}

#[test]
fn removing_a_schedule_or_a_default_bus_edge_finds_the_event_without_a_resource() {
    let template = json!({
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12",
                "Events": {
                    "Nightly": {"Type": "Schedule", "Properties": {"Schedule": "cron(0 3 * * ? *)"}},
                    "Hourly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}},
                    "OnOrder": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"detail-type": ["OrderPlaced"]}}},
                    "OnRefund": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"detail-type": ["Refunded"]}}}
                }}}
        }
    });
    let mut design = design(
        r#"{"version": 2, "services": [{"id": "Fn", "kind": "function"},
            {"id": "FnNightlySchedule", "kind": "schedule", "properties": {"expression": "cron(0 3 * * ? *)"}},
            {"id": "FnHourlySchedule", "kind": "schedule", "properties": {"expression": "rate(1 hour)"}},
            {"id": "default", "kind": "bus"}],
          "edges": [{"from": "FnNightlySchedule", "to": "Fn", "event": "Nightly"},
            {"from": "FnHourlySchedule", "to": "Fn", "event": "Hourly"},
            {"from": "default", "to": "Fn", "event": "OrderPlaced"},
            {"from": "default", "to": "Fn", "event": "Refunded"}]}"#,
    );
    design.template = Some(std::sync::Arc::new(TemplateSource::capture(
        template.clone(),
        &design,
    )));
    assert_unedited_round_trip(&design);
    design
        .edges
        .retain(|e| &*e.event != "Nightly" && &*e.event != "OrderPlaced");
    let out = export_sam(&design);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    let events = &out.document["Resources"]["Fn"]["Properties"]["Events"];
    let keys: Vec<&String> = events.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Hourly", "OnRefund"]);
}

#[test]
fn every_fixture_template_comes_back_from_an_unedited_import() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates");
    let mut seen = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let imported = crate::template::import_bytes(&text, &name)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(
            imported.design.template.is_some(),
            "{name}: the template is kept"
        );
        // Through a save and a load too, as `import -o` then `export` does.
        let saved = crate::io::to_json(&imported.design);
        let loaded = crate::io::parse_design(saved.as_bytes(), &name).unwrap();
        assert_unedited_round_trip(&loaded);
        seen += 1;
    }
    assert!(seen >= 10, "{seen} fixtures");
}

/// The templates the importer's fuzz target starts from (one per construct it reads).
fn seed_templates() -> Vec<std::path::PathBuf> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/template");
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "{paths:?}");
    paths
}

#[test]
fn every_imported_seed_template_exports_unchanged() {
    for path in seed_templates() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let imported = crate::template::import(&text, &name).unwrap_or_else(|e| panic!("{e}"));
        assert!(imported.design.template.is_some(), "{name}");
        assert_eq!(
            imported.design.template.as_ref().unwrap().document,
            imported.document,
            "{name}"
        );
        assert_unedited_round_trip(&imported.design);
        // And after a save and a load, as a user's design file.
        let saved = crate::io::to_json(&imported.design);
        let again = parse_design(saved.as_bytes(), &name).unwrap();
        assert_unedited_round_trip(&again);
    }
}

#[test]
fn an_edited_import_changes_only_what_was_edited() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds/template/sqs_redrive.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut design = crate::template::import(&text, "sqs_redrive.yaml")
        .unwrap()
        .design;
    let original = design.template.as_ref().unwrap().document.clone();
    let function = design
        .services
        .iter()
        .position(|s| s.kind == ServiceKind::Function)
        .expect("the seed has a function");
    let id = design.services[function].id.clone();
    design.services[function]
        .properties
        .insert("memory_mb", json!(1024));
    let out = export_sam(&design);
    let mut expected = original.clone();
    expected["Resources"][&id]["Properties"]["MemorySize"] = json!(1024);
    assert_eq!(out.document, expected, "{:?}", out.notes);
}
