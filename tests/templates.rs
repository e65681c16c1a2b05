//! Template import, fixture by fixture: the services, edges, evidence and loop classes each
//! construct of the issue makes. The fixtures (tests/fixtures/templates/) are the project's own.

use std::path::Path;

use event_architect::analysis::{LoopClass, analyze, classify};
use event_architect::model::evidence::{BoundKind, EdgeRole, Reach};
use event_architect::model::{Design, ServiceKind};
use event_architect::template::{Imported, import_bytes};

fn fixture(name: &str) -> Imported {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/templates")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    import_bytes(&bytes, name).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// `id kind` of every service, in order.
fn services(design: &Design) -> Vec<String> {
    design
        .services
        .iter()
        .map(|s| format!("{} {}", s.id, s.kind))
        .collect()
}

/// `from -> to (event) | construct | role | reach` of every edge, in order.
fn edges(design: &Design) -> Vec<String> {
    design
        .edges
        .iter()
        .map(|e| {
            let evidence = e
                .evidence
                .as_deref()
                .expect("every imported edge has evidence");
            format!(
                "{} -> {} ({}) | {} | {} | {}",
                design.id(e.from),
                design.id(e.to),
                e.event,
                evidence.construct,
                evidence.role.as_str(),
                evidence.reach.as_str()
            )
        })
        .collect()
}

fn edge<'a>(design: &'a Design, from: &str, to: &str) -> &'a event_architect::model::EventEdge {
    design
        .edges
        .iter()
        .find(|e| design.id(e.from) == from && design.id(e.to) == to)
        .unwrap_or_else(|| panic!("no edge {from} -> {to}: {:?}", edges(design)))
}

fn property(design: &Design, id: &str, key: &str) -> Option<serde_json::Value> {
    let index = design.find(id).unwrap();
    design.service(index).properties.get(key)
}

#[test]
fn an_s3_event_is_a_filtered_trigger_and_the_function_keeps_its_settings() {
    let design = fixture("s3_event.yaml").design;
    assert_eq!(
        services(&design),
        ["Uploads bucket", "Thumbnailer function"]
    );
    assert_eq!(
        edges(&design),
        ["Uploads -> Thumbnailer (ObjectCreated) | Events.Upload (S3) | trigger | direct"]
    );
    let filter = design.edges[0].filter.as_deref().unwrap();
    assert_eq!(filter.prefix.as_deref(), Some("incoming/"));
    assert_eq!(filter.suffix.as_deref(), Some(".jpg"));
    assert_eq!(
        property(&design, "Thumbnailer", "memory_mb"),
        Some(512.into())
    );
    assert_eq!(
        property(&design, "Thumbnailer", "code_uri"),
        Some("src/".into())
    );
    assert_eq!(
        property(&design, "Thumbnailer", "resource_type"),
        Some("AWS::Serverless::Function".into())
    );
}

#[test]
fn a_redrive_policy_is_a_bounded_retry_edge_and_sqs_filters_are_kept() {
    let design = fixture("sqs_redrive.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Orders -> OrdersDlq (Redrive) | RedrivePolicy | retry | direct",
            "Orders -> Worker (Message) | Events.Orders (SQS) | trigger | direct",
        ]
    );
    let redrive = design.edges[0].evidence.as_deref().unwrap();
    assert_eq!(redrive.bounds[0].kind, BoundKind::MaxReceiveCount);
    assert_eq!(redrive.bounds[0].count, 4);
    assert_eq!(
        property(&design, "Orders", "max_receive_count"),
        Some(4.into())
    );
    assert_eq!(
        property(&design, "Orders", "visibility_timeout_s"),
        Some(60.into())
    );
    let pattern = design.edges[1]
        .filter
        .as_deref()
        .unwrap()
        .pattern
        .as_ref()
        .unwrap();
    assert_eq!(pattern.as_str(), r#"{"body":{"type":["order"]}}"#);
}

#[test]
fn subscriptions_inline_as_resources_and_as_events_are_triggers() {
    let design = fixture("sns_subscriptions.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Alerts -> AlertQueue (Notification) | Subscription[0] (sqs) | trigger | direct",
            "Alerts -> Pager (Notification) | SNS::Subscription PagerSubscription (lambda) | trigger | direct",
            "Alerts -> Auditor (Notification) | Events.All (SNS) | trigger | direct",
        ]
    );
    let policy = design.edges[1]
        .filter
        .as_deref()
        .unwrap()
        .pattern
        .as_ref()
        .unwrap();
    assert_eq!(policy.as_str(), r#"{"severity":["critical"]}"#);
}

#[test]
fn implicit_apis_and_function_urls_get_the_ids_sam_gives_them() {
    let imported = fixture("implicit_apis.yaml");
    let design = &imported.design;
    assert_eq!(
        services(design),
        [
            "GetItem function",
            "PutItem function",
            "ServerlessRestApi gateway",
            "ServerlessHttpApi gateway",
            "PutItemUrl gateway",
        ]
    );
    let rest = design.service(design.find("ServerlessRestApi").unwrap());
    assert_eq!(rest.routes[0].route, "GET /items/{id}");
    assert_eq!(rest.routes[0].event, "GetItem");
    let http = design.service(design.find("ServerlessHttpApi").unwrap());
    assert_eq!(http.routes[0].route, "POST /items");
    let call = edge(design, "ServerlessRestApi", "GetItem");
    assert_eq!(call.mode, event_architect::model::EdgeMode::Sync);
    assert_eq!(
        call.evidence.as_deref().unwrap().construct,
        "Events.GetItem (Api)"
    );
    assert_eq!(
        edge(design, "PutItemUrl", "PutItem")
            .evidence
            .as_deref()
            .unwrap()
            .construct,
        "FunctionUrlConfig"
    );
    // Globals apply to every function.
    assert_eq!(property(design, "GetItem", "timeout_s"), Some(10.into()));
    assert_eq!(
        property(design, "PutItem", "runtime"),
        Some("python3.12".into())
    );
    assert_eq!(imported.summary.implicit, 3);
}

#[test]
fn openapi_integrations_and_rest_methods_make_routes_and_edges() {
    let design = fixture("openapi.yaml").design;
    let api = design.service(design.find("Api").unwrap());
    let routes: Vec<&str> = api.routes.iter().map(|r| r.route.as_str()).collect();
    assert_eq!(routes, ["POST /orders", "ANY /events"]);
    assert_eq!(
        edges(&design),
        [
            "Api -> CreateOrder (POST /orders) | DefinitionBody.paths[\"/orders\"].post x-amazon-apigateway-integration | trigger | direct",
            "Api -> Inbox (ANY /events) | DefinitionBody.paths[\"/events\"].x-amazon-apigateway-any-method x-amazon-apigateway-integration | trigger | direct",
        ]
    );
    let design = fixture("rest_method.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Api -> GetItemFunction (GET /items/{id}) | ApiGateway::Method GetItemMethod | trigger | direct"
        ]
    );
}

#[test]
fn rules_find_their_bus_or_the_default_one_and_keep_their_pattern() {
    let imported = fixture("eventbridge_rules.yaml");
    let design = &imported.design;
    assert!(services(design).contains(&"default bus".to_owned()));
    assert!(services(design).contains(&"Nightly schedule".to_owned()));
    assert_eq!(
        edges(design),
        [
            "Orders -> Fulfil (OrderPlaced) | Events::Rule OnPlaced Targets[0] | trigger | direct",
            "default -> Audit (aws.ec2) | Events::Rule OnAnything Targets[0] | trigger | direct",
            "Nightly -> Report (Scheduled) | Events::Rule Nightly Targets[0] | trigger | direct",
            // `EventBusName: orders` is the bus's literal name.
            "Orders -> Report (OrderShipped) | Events.Shipped (EventBridgeRule) | trigger | direct",
        ]
    );
    let placed = edge(design, "Orders", "Fulfil");
    assert_eq!(placed.evidence.as_deref().unwrap().bounds[0].count, 3);
    let pattern = placed.filter.as_deref().unwrap();
    assert!(pattern.matches("shop.orders", "OrderPlaced", &serde_json::Value::Null));
    assert_eq!(
        property(design, "Nightly", "expression"),
        Some("cron(0 2 * * ? *)".into())
    );
    // Rules on a pattern are edges, not services.
    assert_eq!(imported.summary.as_edges, 2);
}

#[test]
fn pipes_run_through_their_enrichment_and_schedules_of_every_kind_trigger() {
    let design = fixture("pipes_schedules.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "EnrichHourly -> Enrich (Hourly) | Events.Hourly (Schedule) | trigger | direct",
            "Clicks -> Enrich (Record) | Pipe Pipe Enrichment | trigger | direct",
            "Enrich -> Workflow (Record) | Pipe Pipe | trigger | direct",
            "Cleanup -> Workflow (Scheduled) | Target | trigger | direct",
        ]
    );
    assert!(edge(&design, "Clicks", "Enrich").filter.is_some());
    assert_eq!(
        property(&design, "EnrichHourly", "expression"),
        Some("rate(1 hour)".into())
    );
    assert_eq!(
        property(&design, "Workflow", "type"),
        Some("EXPRESS".into())
    );
}

#[test]
fn policy_templates_statements_and_literal_names_are_writes_and_reads_are_notes() {
    let design = fixture("policies.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Api -> Table (PutItem) | Policies[0] DynamoDBCrudPolicy | write | direct",
            "Api -> Jobs (SendMessage) | Policies[1] SQSSendMessagePolicy | write | direct",
            "Api -> News (Publish) | Policies[2] SNSPublishMessagePolicy | write | direct",
            "Api -> default (PutEvents) | Policies[3] EventBridgePutEventsPolicy | write | direct",
            // The bucket's name and the policy both use the ArchiveName parameter.
            "Api -> Archive (PutObject) | Policies[4] S3CrudPolicy | write | direct",
            "Api -> Helper (Invoke) | Policies[5] LambdaInvokePolicy | write | direct",
            // A literal ARN names the bucket by its name.
            "Api -> Reports (PutObject) | Policies[7].Statement[0] s3:PutObject on Reports | write | direct",
        ]
    );
    let reports = edge(&design, "Api", "Reports").evidence.as_deref().unwrap();
    assert_eq!(reports.keys.as_deref(), Some("daily/*"));
    let notes = &design.service(design.find("Api").unwrap()).notes;
    assert!(
        notes.contains("reads Lookups (Policies[6] DynamoDBReadPolicy)"),
        "{notes}"
    );
    assert!(
        notes.contains("Environment LOOKUPS names Lookups"),
        "{notes}"
    );
    assert_eq!(property(&design, "Table", "key"), Some("pk".into()));
    assert_eq!(property(&design, "Table", "sort_key"), Some("sk".into()));
}

#[test]
fn roles_attached_policies_destinations_and_dead_letter_queues_are_edges() {
    let design = fixture("roles_destinations.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Processor -> Ledger (PutItem) | Role Role Policies[0].Statement[0] dynamodb:PutItem on Ledger | write | direct",
            "Processor -> Results (SendMessage) | Role Role Extra.Statement[0] sqs:SendMessage on Results | write | direct",
            "Processor -> Failures (OnFailure) | EventInvokeConfig.DestinationConfig.OnFailure | retry | direct",
            "Processor -> Dead (DeadLetter) | DeadLetterQueue | retry | direct",
            "Legacy -> Results (OnSuccess) | EventInvokeConfig LegacyInvokeConfig.DestinationConfig.OnSuccess | write | direct",
        ]
    );
    let failure = edge(&design, "Processor", "Failures")
        .evidence
        .as_deref()
        .unwrap();
    assert_eq!(
        (failure.bounds[0].kind, failure.bounds[0].count),
        (BoundKind::RetryAttempts, 1)
    );
}

#[test]
fn stream_sources_firehose_and_state_machines_are_connected() {
    let design = fixture("streams_state_machine.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Clicks -> Counter (Record) | Events.Clicks (Kinesis) | trigger | direct",
            "Items -> Counter (StreamRecord) | Events.Changes (DynamoDB) | trigger | direct",
            "Clicks -> Indexer (Record) | Lambda::EventSourceMapping IndexerMapping | trigger | direct",
            "Delivery -> Lake (PutObject) | ExtendedS3DestinationConfiguration.BucketARN | write | direct",
            "CheckoutNightly -> Checkout (Nightly) | Events.Nightly (Schedule) | trigger | direct",
            "Checkout -> Counter (Invoke) | Policies[0] LambdaInvokePolicy | write | direct",
        ]
    );
    let kinesis = edge(&design, "Clicks", "Counter")
        .evidence
        .as_deref()
        .unwrap();
    assert_eq!(kinesis.bounds[0].count, 2);
    assert_eq!(
        design.service(design.find("Delivery").unwrap()).kind,
        ServiceKind::Stream
    );
}

#[test]
fn a_json_template_with_long_forms_imports_and_is_the_document() {
    let imported = fixture("long_form.json");
    assert_eq!(
        edges(&imported.design),
        ["Inbox -> Reader (Message) | Lambda::EventSourceMapping ReaderMapping | trigger | direct"]
    );
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates/long_form.json"),
    )
    .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        imported.document, parsed,
        "the document is the template as parsed"
    );
}

#[test]
fn the_document_keeps_everything_in_long_form() {
    let imported = fixture("policies.yaml");
    let document = &imported.document;
    assert_eq!(
        document["Parameters"]["ArchiveName"]["Default"],
        "shop-archive"
    );
    assert_eq!(
        document["Resources"]["Archive"]["Properties"]["BucketName"],
        serde_json::json!({"Ref": "ArchiveName"})
    );
    assert_eq!(
        document["Resources"]["Api"]["Properties"]["Policies"][1]["SQSSendMessagePolicy"]["QueueName"],
        serde_json::json!({"Fn::GetAtt": ["Jobs", "QueueName"]})
    );
}

/// The class of the one cycle of a fixture.
fn class(name: &str) -> event_architect::analysis::LoopReport {
    let design = fixture(name).design;
    let analysis = analyze(&design);
    let mut loops = classify(&design, &analysis);
    assert_eq!(loops.len(), 1, "{name}: {loops:?}");
    loops.remove(0)
}

#[test]
fn an_s3_write_back_without_a_key_filter_is_a_runaway_loop() {
    let design = fixture("loop_s3_writeback.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Photos -> Resize (ObjectCreated) | Events.Upload (S3) | trigger | direct",
            "Resize -> Photos (PutObject) | Policies[0] S3CrudPolicy | write | direct",
        ]
    );
    let report = class("loop_s3_writeback.yaml");
    assert_eq!(report.class, LoopClass::Runaway, "{report:?}");
    assert!(report.guard.stops, "S3 and Lambda: AWS stops it after ~16");
}

#[test]
fn a_dead_letter_remediation_that_sends_back_is_an_unbounded_retry_cycle() {
    let design = fixture("loop_dlq_remediation.yaml").design;
    let redrive = edge(&design, "Orders", "OrdersDlq")
        .evidence
        .as_deref()
        .unwrap();
    assert_eq!(redrive.role, EdgeRole::Retry);
    let report = class("loop_dlq_remediation.yaml");
    assert_eq!(report.class, LoopClass::Runaway, "{report:?}");
    assert!(
        report.explanation.contains("Remediate -> Orders"),
        "{report:?}"
    );
}

#[test]
fn a_suffix_filter_the_output_cannot_match_breaks_the_loop() {
    let report = class("loop_suffix_filter.yaml");
    assert_eq!(report.class, LoopClass::Filtered, "{report:?}");
    assert_eq!(report.can_match, Some(false));
    assert!(report.explanation.contains("suffix \".jpg\""), "{report:?}");
}

#[test]
fn a_wildcard_permission_or_a_shared_role_is_permission_only() {
    let design = fixture("loop_wildcard.yaml").design;
    let write = edge(&design, "Worker", "Jobs").evidence.as_deref().unwrap();
    assert_eq!(write.reach, Reach::Wildcard);
    assert_eq!(
        write.construct,
        "Policies[0].Statement[0] sqs:SendMessage on \"*\""
    );
    assert_eq!(class("loop_wildcard.yaml").class, LoopClass::PermissionOnly);

    let design = fixture("loop_shared_role.yaml").design;
    assert_eq!(
        edge(&design, "Consumer", "Updates")
            .evidence
            .as_deref()
            .unwrap()
            .reach,
        Reach::SharedRole
    );
    assert_eq!(
        class("loop_shared_role.yaml").class,
        LoopClass::PermissionOnly
    );
}

#[test]
fn a_websocket_reply_marked_in_the_template_is_intentional() {
    let design = fixture("loop_websocket_reply.yaml").design;
    assert_eq!(
        edges(&design),
        [
            "Chat -> Reply (sendMessage) | ApiGatewayV2::Integration SendIntegration | trigger | direct",
            "Reply -> Chat (PostToConnection) | Policies[0].Statement[0] execute-api:ManageConnections on Chat | write | direct",
        ]
    );
    assert_eq!(design.intentional_loops.len(), 1);
    let report = class("loop_websocket_reply.yaml");
    assert_eq!(report.class, LoopClass::Intentional, "{report:?}");
    assert!(
        !report.guard.stops,
        "API Gateway is not followed by AWS's guard"
    );
}

#[test]
fn a_failure_destination_back_to_the_trigger_is_bounded_by_the_retries() {
    let report = class("loop_bounded_retry.yaml");
    assert_eq!(report.class, LoopClass::Bounded, "{report:?}");
    assert_eq!(report.bound, Some((BoundKind::RetryAttempts, 2)));
}

#[test]
fn an_imported_design_saves_and_loads_back_with_its_evidence() {
    for name in [
        "loop_websocket_reply.yaml",
        "policies.yaml",
        "sqs_redrive.yaml",
    ] {
        let design = fixture(name).design;
        let text = event_architect::io::to_json(&design);
        let loaded = event_architect::io::parse_design(text.as_bytes(), name).unwrap();
        assert_eq!(loaded, design, "{name}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, &text).unwrap();
        // The streaming reader (a file) reads the same design.
        assert_eq!(
            event_architect::io::load_path(&path).unwrap(),
            design,
            "{name}"
        );
    }
}

#[test]
fn every_imported_service_is_placed() {
    for name in ["policies.yaml", "streams_state_machine.yaml"] {
        let design = fixture(name).design;
        assert!(
            design.services.iter().all(|s| s.position.is_some()),
            "{name}"
        );
        let mut places: Vec<(i64, i64)> = design
            .services
            .iter()
            .map(|s| {
                let p = s.position.unwrap();
                (p.x as i64, p.y as i64)
            })
            .collect();
        places.sort();
        places.dedup();
        assert_eq!(
            places.len(),
            design.services.len(),
            "{name}: no two in one place"
        );
    }
}

mod mutations {
    //! The fuzz target's checks (fuzz/fuzz_targets/template.rs) on random edits of the
    //! fixtures, on every `cargo test`: no panic, and whatever imports saves and loads back.
    use super::*;
    use proptest::prelude::*;

    fn fixtures() -> Vec<Vec<u8>> {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates");
        let mut files: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn an_edited_template_imports_or_is_refused_without_a_panic(
            which in 0usize..64,
            edits in proptest::collection::vec((0usize..4096, 0u8..=255, 0u8..3), 1..8),
        ) {
            let all = fixtures();
            let mut bytes = all[which % all.len()].clone();
            for (at, byte, how) in edits {
                let at = at % (bytes.len() + 1);
                match how {
                    0 => bytes.insert(at, byte),
                    1 if at < bytes.len() => { bytes.remove(at); }
                    _ if at < bytes.len() => bytes[at] = byte,
                    _ => bytes.push(byte),
                }
            }
            if let Ok(imported) = import_bytes(&bytes, "edited.yaml") {
                let saved = event_architect::io::to_json(&imported.design);
                let again = event_architect::io::parse_design(saved.as_bytes(), "edited.json");
                prop_assert_eq!(again.ok(), Some(imported.design.clone()));
                let analysis = analyze(&imported.design);
                prop_assert_eq!(classify(&imported.design, &analysis).len(), analysis.cycles.len());
            }
        }
    }
}
