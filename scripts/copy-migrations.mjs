// The build: tsc emits the JavaScript; the PostgreSQL migrations are SQL files it does not copy.
import { cpSync } from 'node:fs'
cpSync(new URL('../src/store/postgres/migrations/', import.meta.url), new URL('../dist/store/postgres/migrations/', import.meta.url), { recursive: true })
