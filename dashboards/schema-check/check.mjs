// Type-checks every dashboard in ../grafana/dashboards against Grafana's published schema types
// (@grafana/schema): the dashboard model, and each panel's options and field config for its panel type.
// Each dashboard JSON becomes a typed TypeScript object literal, so tsc reports unknown properties,
// wrong value types and invalid enum values. Exits non-zero on any error.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const dashboardsDir = join(here, '..', 'grafana', 'dashboards');
const gen = join(here, '.gen');
rmSync(gen, { recursive: true, force: true });
mkdirSync(gen);

const cfg = (p) => `@grafana/schema/dist/esm/raw/composable/${p}`;
const panelTypes = {
  timeseries: cfg('timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen'),
  heatmap: cfg('heatmap/panelcfg/x/HeatmapPanelCfg_types.gen'),
  stat: cfg('stat/panelcfg/x/StatPanelCfg_types.gen'),
  bargauge: cfg('bargauge/panelcfg/x/BarGaugePanelCfg_types.gen'),
  table: cfg('table/panelcfg/x/TablePanelCfg_types.gen'),
};
// Panel types whose plugin publishes a custom field config; the others take none.
const customFieldConfig = { timeseries: 'timeseries.FieldConfig', heatmap: 'heatmap.FieldConfig', table: 'table.FieldConfig' };

let header = `import type { Dashboard, Panel, AnnotationQuery, DataQuery, FieldConfig, FieldConfigSource } from '@grafana/schema';\n`;
for (const [type, mod] of Object.entries(panelTypes)) {
  header += `import type * as ${type} from '${mod}';\n`;
}
header += `
// JSON spells Grafana's string enums as their values: accept exactly those values.
type Json<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T
  : T extends ReadonlyArray<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

// The Prometheus datasource's query model (its PromQuery), which @grafana/schema does not publish.
interface PromQuery extends DataQuery {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  exemplar?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  editorMode?: 'code' | 'builder';
  interval?: string;
  intervalFactor?: number;
}
// The Prometheus datasource's annotation options, kept beside the target.
interface PromAnnotation extends AnnotationQuery<PromQuery> {
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
  step?: string;
}
// The core Panel types options and custom field config loosely (Record<string, unknown>): type them with the
// panel type's own published Options and FieldConfig, so unknown or mistyped panel settings fail too.
type PanelOf<O, F> = Omit<Panel, 'targets' | 'options' | 'fieldConfig'> & {
  targets: PromQuery[];
  options: O;
  fieldConfig: Omit<FieldConfigSource, 'defaults'> & { defaults: Omit<FieldConfig, 'custom'> & { custom?: F } };
};
type GrafanaDashboard = Omit<Dashboard, 'annotations'> & { annotations: { list: Array<AnnotationQuery | PromAnnotation> } };
`;

const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
if (files.length === 0) {
  console.error(`no dashboards in ${dashboardsDir}`);
  process.exit(1);
}

const sources = [];
for (const file of files) {
  const dashboard = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8'));
  const panels = dashboard.panels ?? [];
  delete dashboard.panels;
  let src = header;
  const names = [];
  panels.forEach((panel, i) => {
    const type = panel.type;
    if (!panelTypes[type]) {
      console.error(`${file}: panel ${panel.id} has type '${type}', which this check does not know; add its panelcfg types.`);
      process.exit(1);
    }
    const name = `panel${i}`;
    names.push(name);
    src += `const ${name}: Json<PanelOf<${type}.Options, ${customFieldConfig[type] ?? 'never'}>> = ${JSON.stringify(panel, null, 2)};\n`;
  });
  src += `const dashboard: Json<GrafanaDashboard> = { ...${JSON.stringify(dashboard, null, 2)}, panels: [${names.join(', ')}] };\nexport default dashboard;\n`;
  const out = join(gen, file.replace(/\.json$/, '.ts'));
  writeFileSync(out, src);
  sources.push(out);
}

writeFileSync(join(gen, 'tsconfig.json'), JSON.stringify({
  compilerOptions: {
    strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
    skipLibCheck: true, types: [],
  },
  files: sources.map((s) => s.split('/').pop()),
}, null, 2));

try {
  execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(gen, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error('dashboard schema check FAILED');
  process.exit(1);
}
console.log(`dashboard schema check passed: ${files.join(', ')}`);
