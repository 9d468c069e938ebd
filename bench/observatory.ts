// `npm run bench -- observatory`: the dashboard's page bench (bench/observatory-page.ts); the
// analytics query p50s of issue 12 live in their own file under the same name.
await import('./observatory-page.ts');
