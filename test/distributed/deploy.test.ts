/**
 * The deployment files, checked offline (no cluster, no Docker engine, no GitHub here):
 *
 * - deploy/kubernetes/*.yaml against the Kubernetes API schema of the kubernetes-models package:
 *   its validators (types, required fields, enums, formats) and its TypeScript types, through
 *   the compiler's excess-property check, which catches misspelled or unknown fields at any
 *   depth (what `kubeconform -strict` does); then what the design needs: an Indexed Job whose
 *   completions, parallelism and --shard agree, the index from JOB_COMPLETION_INDEX, a common
 *   --start-at, reports where the merge reads them;
 * - the GitHub Actions workflow with GitHub's own parser (@actions/workflow-parser), and its
 *   shape: a matrix of shards, artifacts up, a merge job that gates;
 * - the Dockerfile with dockerfile-utils' linter, and its shape: build, npm ci --omit=dev,
 *   a non-root user, ENTRYPOINT ["mailprobe"]; .dockerignore;
 * - run.sh parses (bash -n); the bench and merge arguments in the manifests and the workflow
 *   are accepted by mailprobe's own parsers.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, PersistentVolumeClaim, Secret } from 'kubernetes-models/v1';
import { tsImport } from 'tsx/esm/api';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { OPTIONS } from '../../bin/commands/bench.js';
import { parseShard, parseStartAt } from '../../engine/load/shard.js';
import { parseThreshold } from '../../engine/load/thresholds-parse.js';

const ROOT = resolve(import.meta.dirname, '../..');
const K8S = join(ROOT, 'deploy/kubernetes');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec?: Record<string, unknown>; data?: Record<string, string>; stringData?: Record<string, string> };

async function manifests(): Promise<{ file: string; doc: Manifest }[]> {
  const files = (await readdir(K8S)).filter((f) => f.endsWith('.yaml')).sort();
  const out: { file: string; doc: Manifest }[] = [];
  for (const file of files) {
    // YAML 1.1 like kubectl (octal 0440, yes/no booleans), so a value means what the cluster reads.
    for (const d of parseAllDocuments(await readFile(join(K8S, file), 'utf8'), { version: '1.1' })) {
      expect(d.errors, file).toEqual([]);
      out.push({ file, doc: d.toJS() as Manifest });
    }
  }
  return out;
}

const MODELS = { Job, ConfigMap, PersistentVolumeClaim, Secret } as const;
const TYPES: Record<string, { module: string; type: string }> = {
  Job: { module: 'kubernetes-models/batch/v1', type: 'IJob' },
  ConfigMap: { module: 'kubernetes-models/v1', type: 'IConfigMap' },
  PersistentVolumeClaim: { module: 'kubernetes-models/v1', type: 'IPersistentVolumeClaim' },
  Secret: { module: 'kubernetes-models/v1', type: 'ISecret' },
};

/**
 * Type-check `docs` as object literals of their kubernetes-models interfaces: TypeScript's
 * excess-property check rejects any field the API does not have, however deep.
 */
function strictFieldErrors(docs: readonly { file: string; doc: Manifest }[]): string[] {
  const virtual = join(ROOT, 'test/distributed/__manifests_check__.ts');
  const lines: string[] = [];
  const imports = new Map<string, Set<string>>();
  docs.forEach(({ file, doc }, n) => {
    const t = TYPES[doc.kind];
    if (t === undefined) throw new Error(`${file}: no type for kind ${doc.kind}`);
    (imports.get(t.module) ?? imports.set(t.module, new Set()).get(t.module)!).add(t.type);
    lines.push(`// ${file}\nexport const m${n}: ${t.type} = ${JSON.stringify(doc, null, 2)};`);
  });
  const source = [...[...imports].map(([m, types]) => `import type { ${[...types].join(', ')} } from '${m}';`), ...lines].join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (resolve(name) === virtual ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === virtual || fileExists(name);
  const program = ts.createProgram([virtual], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${where ? `line ${where.line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

const containerArgs = (job: Manifest): string[] => {
  const spec = job.spec as { template: { spec: { containers: { args?: string[]; env?: { name: string }[]; command?: string[] }[] } } };
  return spec.template.spec.containers[0]!.args ?? [];
};

/** The values of --name=value / --name value options in an argv. */
function optionValues(args: readonly string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, n) => {
    if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
    else if (a === `--${name}` && args[n + 1] !== undefined) out.push(args[n + 1]!);
  });
  return out;
}

describe('deploy/kubernetes (validated offline: there is no cluster here)', () => {
  it('every manifest is valid against the Kubernetes API schema (kubernetes-models)', async () => {
    const docs = await manifests();
    expect(docs.map((d) => `${d.file}:${d.doc.kind}`)).toEqual([
      'merge-job.yaml:Job',
      'results-pvc.yaml:PersistentVolumeClaim',
      'run-configmap.yaml:ConfigMap',
      'shards-job-stdout.yaml:Job',
      'shards-job.yaml:Job',
      'users-secret.example.yaml:Secret',
    ]);
    for (const { file, doc } of docs) {
      const Model = MODELS[doc.kind as keyof typeof MODELS];
      expect(() => new Model(doc as never).validate(), file).not.toThrow();
    }
    // The validators do check: a wrong type and an unknown enum value are caught.
    const job = docs.find((d) => d.file === 'shards-job.yaml')!.doc;
    expect(() => new Job({ ...job, spec: { ...job.spec, completions: '4' } } as never).validate()).toThrow(/completions must be integer/);
    expect(() => new Job({ ...job, spec: { ...job.spec, completionMode: 'Indexd' } } as never).validate()).toThrow(/completionMode must be equal to one of the allowed values/);
  });

  it('and has no field the API does not know (strict, at every depth)', async () => {
    const docs = await manifests();
    // One program for all (the compiler takes seconds to start): the manifests as they are, and
    // a copy of the shards Job with a misspelled field, which must be the one error.
    const job = docs.find((d) => d.file === 'shards-job.yaml')!;
    const spec = job.doc.spec as { template: { spec: Record<string, unknown> } };
    const typo = { file: 'typo', doc: { ...job.doc, spec: { ...job.doc.spec, template: { ...spec.template, spec: { ...spec.template.spec, restartPolicyy: 'Never' } } } } };
    const errors = strictFieldErrors([...docs, typo]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/'"restartPolicyy"' does not exist in type 'IPodSpec'/);
  }, 30_000);

  it('the shards are an Indexed Job: N = completions = parallelism = the /N of --shard, index from JOB_COMPLETION_INDEX', async () => {
    const docs = await manifests();
    for (const file of ['shards-job.yaml', 'shards-job-stdout.yaml']) {
      const job = docs.find((d) => d.file === file)!.doc;
      const spec = job.spec as { completionMode: string; completions: number; parallelism: number; backoffLimit: number; template: { spec: { restartPolicy: string; containers: { env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }[] } } };
      expect(spec.completionMode).toBe('Indexed');
      expect(spec.parallelism).toBe(spec.completions);
      expect(spec.backoffLimit).toBe(0);
      expect(spec.template.spec.restartPolicy).toBe('Never');
      const args = containerArgs(job);
      expect(args[0]).toBe('bench');
      expect(optionValues(args, 'shard')).toEqual([`$(JOB_COMPLETION_INDEX)/${spec.completions}`]);
      expect(optionValues(args, 'start-at')).toEqual(['$(START_AT)']);
      // $(VAR) in args expands only variables the container declares.
      const env = spec.template.spec.containers[0]!.env;
      for (const v of args.join(' ').match(/\$\(([A-Z_]+)\)/g) ?? []) expect(env.map((e) => e.name), `${file}: ${v}`).toContain(v.slice(2, -1));
      expect(env.find((e) => e.name === 'JOB_COMPLETION_INDEX')!.valueFrom!.fieldRef!.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
      // What the index expands to is a shard mailprobe accepts, for every index.
      for (let i = 0; i < spec.completions; i++) expect(parseShard(`${i}/${spec.completions}`)).toEqual({ index: i, count: spec.completions });
      // Every option is one bench knows, with a value its parsers accept.
      const benchArgs = args.map((a) => a.replace('$(JOB_COMPLETION_INDEX)', '0').replace('$(START_AT)', '2030-01-02T03:04:05Z').replace('$(RUN_ID)', 'run'));
      const parsed = parseArgs({ args: benchArgs.slice(1), options: OPTIONS, allowPositionals: true, strict: true });
      for (const t of parsed.values.threshold ?? []) expect(() => parseThreshold(t)).not.toThrow();
      expect(parsed.values.json).toBe(file === 'shards-job.yaml' ? '/results/run-shard-0.json' : '-');
    }
    const configMap = docs.find((d) => d.doc.kind === 'ConfigMap')!.doc;
    expect(() => parseStartAt(configMap.data!['start-at']!, Date.parse('2030-01-02T03:00:00Z'))).not.toThrow();
  });

  it('the merge Job reads this run\'s shard reports from the volume the shards write, and gates on thresholds', async () => {
    const docs = await manifests();
    const shards = docs.find((d) => d.file === 'shards-job.yaml')!.doc;
    const merge = docs.find((d) => d.file === 'merge-job.yaml')!.doc;
    const claim = (job: Manifest): string => (job.spec as { template: { spec: { volumes: { persistentVolumeClaim?: { claimName: string } }[] } } }).template.spec.volumes.find((v) => v.persistentVolumeClaim)!.persistentVolumeClaim!.claimName;
    expect(claim(merge)).toBe(claim(shards));
    expect(docs.find((d) => d.doc.kind === 'PersistentVolumeClaim')!.doc.metadata.name).toBe(claim(shards));
    expect((docs.find((d) => d.doc.kind === 'PersistentVolumeClaim')!.doc.spec as { accessModes: string[] }).accessModes).toEqual(['ReadWriteMany']);
    const script = containerArgs(merge).join(' ');
    expect(script).toMatch(/^exec mailprobe merge \/results\/"\$RUN_ID"-shard-\*\.json /);
    for (const t of script.match(/--threshold '([^']+)'/g) ?? []) expect(() => parseThreshold(t.slice(13, -1))).not.toThrow();
    expect(script).toMatch(/--threshold/);
    expect(optionValues(containerArgs(shards), 'json')[0]).toBe('/results/$(RUN_ID)-shard-$(JOB_COMPLETION_INDEX).json');
  });

  it('run.sh is valid bash', async () => {
    await promisify(execFile)('bash', ['-n', join(K8S, 'run.sh')]);
  });
});

/**
 * GitHub's parser imports its JSON schema without an import attribute (bundler style), which
 * Node's own loader refuses; tsx's loader takes it.
 */
async function workflowParser(): Promise<typeof import('@actions/workflow-parser')> {
  return (await tsImport('@actions/workflow-parser', import.meta.url)) as typeof import('@actions/workflow-parser');
}

describe('deploy/github-actions (validated offline with GitHub\'s workflow parser)', () => {
  const file = join(ROOT, 'deploy/github-actions/distributed-bench.yml');

  it('parses and converts without errors', async () => {
    const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = await workflowParser();
    const content = await readFile(file, 'utf8');
    const parsed = parseWorkflow({ name: 'distributed-bench.yml', content }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(parsed.value).toBeDefined();
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect((template.errors ?? []).map((e) => e.Message)).toEqual([]);
    expect(template.jobs.map((j) => j.id.value)).toEqual(['plan', 'shard', 'merge']);
    // A broken workflow is reported: the parser does check.
    const broken = parseWorkflow({ name: 'broken.yml', content: content.replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest') }, new NoOperationTraceWriter());
    expect(broken.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it('runs a matrix of shards with a common start, uploads their reports, and merges and gates after them', async () => {
    const wf = parseAllDocuments(await readFile(file, 'utf8'))[0]!.toJS() as {
      jobs: Record<string, { needs?: string | string[]; if?: string; strategy?: { 'fail-fast': boolean; matrix: { index: string } }; steps: { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] }>;
    };
    const shard = wf.jobs['shard']!;
    expect(shard.strategy!.matrix.index).toBe('${{ fromJSON(needs.plan.outputs.indexes) }}');
    expect(shard.strategy!['fail-fast']).toBe(false);
    const benchStep = shard.steps.find((s) => s.run?.includes(' bench '))!;
    expect(benchStep.env!['SHARD']).toBe('${{ matrix.index }}/${{ inputs.shards }}');
    expect(benchStep.env!['START_AT']).toBe('${{ needs.plan.outputs.start-at }}');
    expect(benchStep.run).toMatch(/--shard "\$SHARD" --start-at "\$START_AT"/);
    expect(shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!.with!['name']).toBe('shard-${{ matrix.index }}');
    const merge = wf.jobs['merge']!;
    expect(merge.needs).toBe('shard');
    expect(merge.if).toBe('${{ !cancelled() }}');
    expect(merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!.with).toMatchObject({ pattern: 'shard-*', 'merge-multiple': true });
    const mergeRun = merge.steps.find((s) => s.run?.includes(' merge '))!.run!;
    expect(mergeRun).toMatch(/mailprobe\.js merge reports\/shard-\*\.json/);
    for (const t of mergeRun.match(/--threshold '([^']+)'/g) ?? []) expect(() => parseThreshold(t.slice(13, -1))).not.toThrow();
    // The plan job's shell makes the JSON list the matrix reads.
    const plan = wf.jobs['plan']!.steps[0]!.run!;
    const { stdout } = await promisify(execFile)('bash', ['-c', `${plan.replace(/>> "\$GITHUB_OUTPUT"/g, '')}`], { env: { ...process.env, SHARDS: '4' } });
    expect(stdout).toMatch(/^start-at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nindexes=\[0,1,2,3\]\n$/);
  });
});

describe('Dockerfile and .dockerignore (docker build cannot run here: no engine)', () => {
  it('lints clean (dockerfile-utils) and builds, then installs production dependencies only, runs as a user, enters at mailprobe', async () => {
    const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    expect(lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    // The linter does look: a misspelt instruction and a COPY without a destination are caught.
    expect(lintDockerfile(text.replace('ENTRYPOINT [', 'ENTRYPONT [').replace('/src/dist ./dist', '/src/dist')).map((d) => d.message)).toEqual(['COPY requires at least two arguments', 'Unknown instruction: ENTRYPONT']);
    const instructions = text.split('\n').filter((l) => /^[A-Z]+\s/.test(l));
    expect(instructions.filter((l) => l.startsWith('FROM '))).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE}']);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(text).toMatch(/RUN npm ci --ignore-scripts .*\n(?:.*\n)*RUN npm run build/);
    expect(text).toMatch(/RUN npm ci --omit=dev --ignore-scripts/);
    expect(text).toMatch(/COPY --from=build \/src\/dist \.\/dist/);
    const at = (prefix: string): number => instructions.findIndex((l) => l.startsWith(prefix));
    expect(at('USER node')).toBeGreaterThan(at('COPY --from=build'));
    expect(at('ENTRYPOINT ["mailprobe"]')).toBeGreaterThan(at('USER node'));
    // Every source folder tsconfig.build.json compiles is copied into the build stage.
    const build = JSON.parse(await readFile(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const dir of build.include) expect(text, dir).toMatch(new RegExp(`^COPY .*\\b${dir.replace('.', '\\.')}\\b`, 'm'));
    const ignore = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n');
    for (const entry of ['node_modules', 'dist', '.git', 'test']) expect(ignore).toContain(entry);
    for (const needed of [...build.include, 'scripts', 'package.json', 'package-lock.json']) expect(ignore).not.toContain(needed);
  });
});
