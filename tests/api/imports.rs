//! `/imports`: a spreadsheet (or NDJSON) of resources, previewed, committed as one change set,
//! re-imported as unchanged, and reverted.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sitebook::core::access::Role;

use crate::support::{Client, Reply, TestApp, spawn_app};

async fn import(client: &Client<'_>, mode: &str, content_type: &str, file: &str) -> Reply {
    client
        .call(
            Method::POST,
            &format!("/imports?mode={mode}&comment=from%20sites.csv"),
        )
        .raw(content_type, file.to_owned())
        .send()
        .await
}

async fn region(app: &TestApp) {
    let admin = Client::new(app, Role::Admin).await;
    let made = admin
        .call(Method::POST, "/tags")
        .json(
            &json!({"name": "Region", "color": "#1E90FF", "applies_to": ["site"],
                      "allowed_values": ["APAC", "EMEA"]}),
        )
        .send()
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
}

const SITES: &str = "\u{FEFF}id;type;name;parent;tag:Region;meta.circuit;meta.rack_units:number;meta.lit:boolean\r\n\
                     hq;site;Head Office;;APAC;00123;42;TRUE\r\n\
                     sw-1;device;\"core; switch\";Head Office;;A-1;2;\r\n\
                     \r\n";

#[tokio::test]
async fn a_preview_writes_nothing_and_a_commit_writes_the_file_as_one_change_set() {
    let app = spawn_app().await;
    region(&app).await;
    let manager = Client::new(&app, Role::Manager).await;

    let preview = import(&manager, "preview", "text/csv", SITES).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let body = preview.json();
    assert_eq!(
        (body["creates"].clone(), body["updates"].clone()),
        (json!(2), json!(0))
    );
    assert_eq!(body["errors"], json!([]));
    assert_eq!(body["delimiter"], ";");
    assert!(body["change_set"].is_null());
    manager
        .get("/metadata/hq")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");

    let commit = import(&manager, "commit", "text/csv", SITES).await;
    assert_eq!(commit.status, StatusCode::OK, "{}", commit.body);
    let set = commit.json()["change_set"].as_str().unwrap().to_owned();
    let hq = manager.get("/metadata/hq").await.json();
    // Values are never guessed: 00123 stays a string, the typed columns type theirs.
    assert_eq!(
        hq["metadata"],
        json!({"name": "Head Office", "circuit": "00123", "rack_units": 42, "lit": true})
    );
    let switch = manager.get("/resources/sw-1").await.json();
    assert_eq!(switch["parent_id"], "hq");
    assert_eq!(switch["name"], "core; switch");
    let tag = manager.get("/resources/hq/tags").await.json();
    assert!(tag.to_string().contains("APAC"), "{tag}");
    let detail = manager.get(&format!("/change-sets/{set}")).await.json();
    assert_eq!(detail["via"], "import");
    assert_eq!(detail["comment"], "from sites.csv");
    assert_eq!(detail["resources"], 2);

    // The same file again changes nothing.
    let again = import(&manager, "commit", "text/csv", SITES).await.json();
    assert_eq!(
        (
            again["creates"].clone(),
            again["updates"].clone(),
            again["unchanged"].clone()
        ),
        (json!(0), json!(0), json!(2))
    );
    assert!(again["change_set"].is_null());

    // An update: one cell changed, one key removed, the rest left as they are.
    let update = "id,meta.rack_units,meta.lit\nhq,48,~\n";
    let updated = import(&manager, "commit", "text/csv", update).await.json();
    assert_eq!(updated["updates"], 1, "{updated}");
    let hq = manager.get("/metadata/hq").await.json();
    assert_eq!(
        hq["metadata"],
        json!({"name": "Head Office", "circuit": "00123", "rack_units": 48})
    );

    // Reverting the import takes it all away again.
    let reverted = manager
        .call(
            Method::POST,
            &format!("/change-sets/{set}/revert?force=true"),
        )
        .send()
        .await;
    assert_eq!(reverted.status, StatusCode::CREATED, "{}", reverted.body);
    manager
        .get("/metadata/sw-1")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

#[tokio::test]
async fn each_bad_row_is_named_by_line_and_column_and_a_commit_then_writes_nothing() {
    let app = spawn_app().await;
    region(&app).await;
    let manager = Client::new(&app, Role::Manager).await;
    let file = "id,type,name,tag:Region,meta.rack_units:number,parent\n\
                ok,site,Fine,APAC,1,\n\
                bad-number,site,Two,,two,\n\
                \"multi\nline\",site,X,AMER,,\n\
                orphan,device,D,,,nowhere\n\
                ,site,,,,\n\
                ok,site,Again,,,\n";
    let preview = import(&manager, "preview", "text/csv", file).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let errors = preview.json()["errors"].clone();
    let found: Vec<(u64, String, String)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                3,
                "meta.rack_units".into(),
                "metadata_value_type_mismatch".into()
            ),
            (4, "id".into(), "resource_id_invalid".into()),
            (6, "parent".into(), "resource_missing".into()),
            (7, "name".into(), "parameter_missing".into()),
            (8, "id".into(), "import_id_repeated".into()),
        ],
        "{errors}"
    );
    let refused = import(&manager, "commit", "text/csv", file).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.json()["errors"], errors);
    manager
        .get("/metadata/ok")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");

    // A value the tag does not allow, and a tag nobody defined, in their own codes.
    let tags = "id,type,name,tag:Region,tag:Tier\nx,site,X,AMER,\ny,site,Y,,Gold\n";
    let codes: Vec<String> = import(&manager, "preview", "text/csv", tags).await.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["tag_value_not_allowed", "tag_unknown"]);
}

#[tokio::test]
async fn ndjson_lines_are_metadata_bodies_and_other_files_are_refused() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let file = format!(
        "{}\n{}\n\n",
        json!({"resource_id": "hq", "type": "site", "metadata": {"name": "HQ", "floor": 3}}),
        json!({"resource_id": "r1", "type": "device", "parent": "hq",
               "metadata": {"name": "router", "uplink": 10.5}})
    );
    let done = import(&manager, "commit", "application/x-ndjson", &file).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["creates"], 2);
    assert_eq!(
        manager.get("/metadata/r1").await.json()["metadata"],
        json!({"name": "router", "uplink": 10.5})
    );
    let bad = import(
        &manager,
        "preview",
        "application/x-ndjson",
        "{\"nope\": 1}\n",
    )
    .await;
    assert_eq!(bad.json()["errors"][0]["line"], 1);
    import(&manager, "preview", "application/pdf", "x")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let staff = Client::new(&app, Role::Staff).await;
    import(&staff, "preview", "text/csv", "id\n")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_limited_manager_imports_only_rows_inside_their_sites() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let file = "id,type,name\nmine,site,Mine\ntheirs,site,Theirs\n";
    assert_eq!(
        import(&admin, "commit", "text/csv", file).await.status,
        StatusCode::OK
    );
    let limited = Client {
        token: app.token(Role::Manager, Some(vec!["mine"])).await,
        app: &app,
    };
    let rows = "id,meta.rack\nmine,1\ntheirs,1\n";
    let preview = import(&limited, "preview", "text/csv", rows).await.json();
    assert_eq!(preview["updates"], 1, "{preview}");
    assert_eq!(preview["errors"][0]["line"], 3);
    assert_eq!(preview["errors"][0]["code"], "forbidden");
}

#[tokio::test]
async fn a_limited_manager_s_row_waits_for_its_parent_later_in_the_file() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let sites = "id,type,name\nmine,site,Mine\ntheirs,site,Theirs\n";
    assert_eq!(
        import(&admin, "commit", "text/csv", sites).await.status,
        StatusCode::OK
    );
    let limited = Client {
        token: app.token(Role::Manager, Some(vec!["mine"])).await,
        app: &app,
    };
    // A port before its card before its chassis: each waits for the row it names.
    let file = "id,type,name,parent\n\
                port-1,device,Port 1,card-1\n\
                card-1,device,Card 1,chassis-1\n\
                chassis-1,device,Chassis 1,mine\n\
                other-1,device,Other 1,theirs\n\
                lost-1,device,Lost 1,nowhere\n";
    let preview = import(&limited, "preview", "text/csv", file).await.json();
    assert_eq!(preview["creates"], 3, "{preview}");
    let errors: Vec<(Value, Value)> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].clone(), e["code"].clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (json!(5), json!("forbidden")),
            (json!(6), json!("resource_missing"))
        ],
        "{preview}"
    );

    let fixed = "id,type,name,parent\n\
                 port-1,device,Port 1,card-1\n\
                 card-1,device,Card 1,chassis-1\n\
                 chassis-1,device,Chassis 1,mine\n";
    let commit = import(&limited, "commit", "text/csv", fixed).await;
    assert_eq!(commit.status, StatusCode::OK, "{}", commit.body);
    assert_eq!(commit.json()["creates"], 3);
    assert_eq!(
        limited.get("/resources/port-1").await.json()["parent_id"],
        "card-1"
    );
}

#[tokio::test]
async fn a_revert_of_an_import_takes_nested_rows_with_their_parents_and_its_revert_brings_all_back()
{
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let file = "id,type,name,parent,meta.rack:number\n\
                north,site,North,,\n\
                chassis-1,device,Chassis 1,north,4\n\
                card-1,device,Card 1,chassis-1,1\n";
    let done = import(&admin, "commit", "text/csv", file).await.json();
    let set = done["change_set"].as_str().unwrap().to_owned();

    let undo = admin
        .call(Method::POST, &format!("/change-sets/{set}/revert"))
        .send()
        .await;
    assert_eq!(undo.status, StatusCode::CREATED, "{}", undo.body);
    for id in ["north", "chassis-1", "card-1"] {
        admin
            .get(&format!("/metadata/{id}"))
            .await
            .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    }
    // What was under a deleted resource went with it, so no record says it lost its parent.
    let undo_set = undo.json()["change_set"].as_str().unwrap().to_owned();
    let records = admin.get(&format!("/change-sets/{undo_set}")).await.json();
    let actions: Vec<&str> = records["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(!actions.contains(&"resource.parent"), "{records}");
    assert_eq!(
        actions.iter().filter(|a| **a == "resource.delete").count(),
        3,
        "{records}"
    );

    let redo = admin
        .call(Method::POST, &format!("/change-sets/{undo_set}/revert"))
        .send()
        .await;
    assert_eq!(redo.status, StatusCode::CREATED, "{}", redo.body);
    let card = admin.get("/resources/card-1").await.json();
    assert_eq!(card["parent_id"], "chassis-1", "{card}");
    let chassis = admin.get("/metadata/chassis-1").await.json();
    assert_eq!(chassis["metadata"]["rack"], 4, "{chassis}");
    assert_eq!(
        admin.get("/resources/chassis-1").await.json()["parent_id"],
        "north"
    );
}

async fn export(client: &Client<'_>, query: &str) -> Reply {
    let reply = client.get(&format!("/resources/export?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
}

const ESTATE: &str = "id,type,name,parent,tag:Region,meta.circuit,meta.rack_units:number,meta.uplink:number,meta.lit:boolean,meta.note\n\
                      hq,site,Head Office,,APAC,00123,42,,TRUE,=\"\"\n\
                      depot,site,Depot,,EMEA,=1+1,,0.30000000000000004,,\"comma, and \"\"quote\"\"\"\n\
                      sw-1,device,core switch,hq,,A-1,2,10.5,false,\n";

#[tokio::test]
async fn an_export_imports_back_unchanged_and_into_an_empty_installation_as_it_was() {
    let app = spawn_app().await;
    region(&app).await;
    let manager = Client::new(&app, Role::Manager).await;
    let made = import(&manager, "commit", "text/csv", ESTATE).await;
    assert_eq!(made.json()["creates"], 3, "{}", made.body);

    let csv = export(&manager, "").await;
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.content_type()
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,type,name,parent,tag:Region,meta.circuit:string,meta.lit:boolean,\
         meta.note:string,meta.rack_units:number,meta.uplink:number"
    );
    // Text a spreadsheet would turn into a number or a formula is written so it stays text.
    assert!(csv.body.contains("\"=\"\"00123\"\"\""), "{}", csv.body);
    assert!(csv.body.contains("\"=\"\"=1+1\"\"\""), "{}", csv.body);

    // Back into the installation it came from: nothing to do.
    let again = import(&manager, "commit", "text/csv", &csv.body)
        .await
        .json();
    assert_eq!(again["unchanged"], 3, "{again}");
    assert_eq!(again["errors"], json!([]));
    assert!(again["change_set"].is_null());

    // Into an empty installation: every resource, typed value, tag value and parent.
    let fresh = spawn_app().await;
    region(&fresh).await;
    let other = Client::new(&fresh, Role::Manager).await;
    let copied = import(&other, "commit", "text/csv", &csv.body).await.json();
    assert_eq!(copied["creates"], 3, "{copied}");
    for id in ["hq", "depot", "sw-1"] {
        assert_eq!(
            other.get(&format!("/metadata/{id}")).await.json(),
            manager.get(&format!("/metadata/{id}")).await.json(),
            "{id}"
        );
    }
    assert_eq!(
        other.get("/metadata/hq").await.json()["metadata"],
        json!({"name": "Head Office", "circuit": "00123", "rack_units": 42, "lit": true, "note": ""})
    );
    assert_eq!(other.get("/resources/sw-1").await.json()["parent_id"], "hq");
    assert_eq!(export(&other, "").await.body, csv.body);

    // A search narrows it; NDJSON carries the same.
    let devices = export(&manager, "q=type:device").await;
    assert_eq!(devices.body.lines().count(), 2, "{}", devices.body);
    let jsonl = export(&manager, "format=jsonl").await;
    assert_eq!(jsonl.content_type(), "application/x-ndjson");
    let third = spawn_app().await;
    region(&third).await;
    let last = Client::new(&third, Role::Manager).await;
    let copied = import(&last, "commit", "application/x-ndjson", &jsonl.body)
        .await
        .json();
    assert_eq!(copied["creates"], 3, "{copied}");
    assert_eq!(
        last.get("/metadata/sw-1").await.json(),
        manager.get("/metadata/sw-1").await.json()
    );
    manager
        .get("/resources/export?q=type:")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "search_invalid");
}

#[tokio::test]
async fn an_export_streams_to_its_end_through_compression() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let made = import(
        &manager,
        "commit",
        "text/csv",
        "id,type,name\na,site,A\nb,site,B\n",
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    // The compression layer asks the body again after its end, which must still say "ended".
    let (status, headers, bytes) = app
        .send_bytes(
            axum::http::Request::get("/api/v1/resources/export?format=jsonl")
                .header("authorization", format!("Bearer {}", manager.token))
                .header("accept-encoding", "gzip")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "gzip");
    assert!(!bytes.is_empty());
}

#[tokio::test]
async fn an_import_names_its_file_on_its_change_set_and_is_followed_only_while_it_runs() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let file = "id,type,name\nsite_north,site,North\n";
    let refused = manager
        .call(Method::POST, "/imports?mode=preview&progress=no")
        .raw("text/csv", file.to_owned())
        .send()
        .await;
    refused.assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");

    let commit = manager
        .call(
            Method::POST,
            "/imports?mode=commit&progress=imp-test-0001&file_name=C%3A%5Cfakepath%5Csites.csv",
        )
        .raw("text/csv", file.to_owned())
        .send()
        .await;
    assert_eq!(commit.status, StatusCode::OK, "{}", commit.body);
    let set = commit.json()["change_set"].as_str().unwrap().to_owned();
    let detail = manager.get(&format!("/change-sets/{set}")).await.json();
    assert_eq!(detail["source"], "sites.csv");
    assert!(detail["comment"].is_null());

    // Followed only while it runs: once answered, its progress is gone.
    manager
        .get("/imports/progress/imp-test-0001")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    let staff = Client::new(&app, Role::Staff).await;
    let status = staff.get("/imports/progress/imp-test-0001").await.status;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_parent_later_in_the_file_is_found_once_every_row_is_in() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    // As an export lists them when the switch moved under a site made after it.
    let file = "id,type,name,parent\n\
                sw-9,device,Switch 9,north\n\
                ,device,Switch 10,north\n\
                sw-11,device,Switch 11,nowhere\n\
                north,site,North,\n";
    let preview = import(&admin, "preview", "text/csv", file).await.json();
    assert_eq!(preview["creates"], 4, "{preview}");
    let errors = preview["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{preview}");
    assert_eq!(
        (errors[0]["line"].clone(), errors[0]["code"].clone()),
        (json!(4), json!("resource_missing"))
    );

    let fixed = file.replace("sw-11,device,Switch 11,nowhere\n", "");
    let commit = import(&admin, "commit", "text/csv", &fixed).await;
    assert_eq!(commit.status, StatusCode::OK, "{}", commit.body);
    assert_eq!(commit.json()["creates"], 3);
    assert_eq!(
        admin.get("/resources/sw-9").await.json()["parent_id"],
        "north"
    );
    let under = admin.get("/resources?q=type:device").await.json();
    assert!(
        under["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["parent_id"] == "north"),
        "{under}"
    );

    // The same file again: everything is where it says.
    let again = import(&admin, "commit", "text/csv", &fixed).await.json();
    assert_eq!(again["unchanged"], 2, "{again}");
}
