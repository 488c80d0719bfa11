// One table of the lead's live monitor (the channels' or the agents'), kept in the browser.
// The server diffs each new monitor view against the previous one once for every monitor tab and emits only the
// rows that changed ("deskquest_monitor": {v, at, speed, full, agents: {rows, gone}, channels: {rows, gone}}) to
// the room of monitor tabs; this component applies its table's part in order, sorts in the browser, and counts the
// "for how long" of a presence from its start (the server sends a row again only when something happens).
// Words come from the server in the tab's language: the rows' (made once per language in use), the columns' titles,
// and the units below (the "units" prop: CLDR's short units as the server's wording.duration writes them).
const NONE = "—";

function unit(pattern, value) {
  return pattern.replace("{0}", value);
}

function seconds(value, units) {
  if (value == null) return NONE;
  if (value < 60) return unit(units.second, value);
  if (value < 3600) return unit(units.minute, Math.floor(value / 60));
  const minutes = Math.floor((value % 3600) / 60);
  return `${unit(units.hour, Math.floor(value / 3600))} ${unit(units.minute, units.pad ? String(minutes).padStart(2, "0") : minutes)}`;
}

import { socketFeed } from "socket_feed";

export default {
  mixins: [socketFeed("deskquest_monitor", "receive")],
  template: `
    <q-table :rows="shown" :columns="cols" :row-key="rowKey" v-model:pagination="pagination"
             :rows-per-page-options="[0]" hide-bottom dense flat class="w-full" />
  `,
  props: {
    // {v, at: the server clock's time in ms, speed: its simulated seconds per real second, full: true,
    //  <table>: {rows: [{...}], gone: []}}
    initial: Object,
    table: String, // 'agents' | 'channels': which part of the messages is this table's
    columns: Array, // Quasar columns, each with an optional 'kind': 'seconds' | 'percent' | 'since'
    units: Object, // {second, minute, hour, percent: patterns with "{0}" for the number; pad: minutes on two digits}
    rowKey: String,
    sortBy: String,
  },
  data() {
    return {
      rows: {}, // row key -> row
      version: -1,
      clock: { at: 0, real: 0, speed: 1 },
      tick: 0, // bumped every second while a column counts from a start: its cells are formatted again
      pagination: { rowsPerPage: 0, sortBy: this.sortBy || null, descending: false },
    };
  },
  computed: {
    shown() {
      return Object.values(this.rows);
    },
    cols() {
      this.tick; // eslint-disable-line no-unused-expressions
      const now = this.now();
      return this.columns.map((column) => {
        const col = { ...column };
        if (column.kind === "seconds") col.format = (value) => seconds(value, this.units);
        else if (column.kind === "percent") col.format = (value) => (value == null ? NONE : unit(this.units.percent, value));
        else if (column.kind === "since") {
          // the time since the start by the server's clock; sorted up, the shortest first
          col.format = (value) =>
            value == null ? NONE : seconds(Math.max(0, Math.floor((now - value) / 1000)), this.units);
          col.sort = (a, b) => (a == null || b == null ? (a == null) - (b == null) : b - a); // unknown: last
        } else if (column.kind === "load") col.sort = (a, b) => parseInt(a) - parseInt(b); // '10 / 12' after '2 / 3'
        return col;
      });
    },
  },
  created() {
    this.receive(this.initial);
  },
  mounted() {
    if (this.columns.some((column) => column.kind === "since")) this.ticker = setInterval(() => this.tick++, 1000);
  },
  unmounted() {
    clearInterval(this.ticker);
  },
  methods: {
    now() {
      return this.clock.at + (Date.now() - this.clock.real) * this.clock.speed;
    },
    receive(message) {
      if (!message) return;
      if (message.full) {
        if (message.v < this.version) return; // a newer patch is already in
        this.rows = {};
      } else if (message.v <= this.version) return; // already in a full table sent since
      else if (message.v !== this.version + 1) {
        if (!this.resyncing) this.$emit("resync"); // a patch went missing: ask for the whole table, once
        this.resyncing = true;
        return;
      }
      this.resyncing = false;
      this.version = message.v;
      this.clock = { at: message.at, real: Date.now(), speed: message.speed };
      const part = message[this.table];
      if (!part) return;
      for (const key of part.gone || []) delete this.rows[key];
      for (const row of part.rows) this.rows[row[this.rowKey]] = row;
    },
  },
};
