// One slide of a wall display, drawn in the browser from the kiosk feed's rows (ui/kiosk.py's KioskFeed).
// The server words each display configuration's slides once per change, per language, diffs them against what it
// sent before and emits only the rows that changed ("deskquest_kiosk": {v, key, full, parts: {name: [length,
// [[index, row], ...]]}}) to the room of every tab showing that configuration; each slide keeps the parts whose
// names start with its own ('today/rows', 'week/0', ...) and applies them in order. The markup and classes are the
// ones the slides had as NiceGUI elements (KIOSK_CSS styles them), so the screen looks the same.
const BoardRow = {
  props: { row: Array }, // [rank, name, team ('' for none), points]
  template: `
    <div class="dq-row">
      <div class="dq-rank">{{ row[0] }}</div>
      <div class="dq-name">{{ row[1] }}</div>
      <div v-if="row[2]" class="dq-muted">{{ row[2] }}</div>
      <div class="dq-num">{{ row[3] }}</div>
    </div>
  `,
};

import { socketFeed } from "socket_feed";

export default {
  mixins: [socketFeed("deskquest_kiosk", "receive")],
  components: { BoardRow },
  template: `
    <div style="display: contents">
      <template v-if="slide === 'today'">
        <div class="dq-title">{{ labels.title }}</div>
        <div class="dq-cols">
          <div class="dq-col">
            <div v-if="!part('rows').length" class="dq-row dq-muted">{{ labels.empty }}</div>
            <board-row v-for="(row, index) in part('rows')" :key="index" :row="row" />
          </div>
          <div class="dq-col">
            <div class="dq-h2">{{ labels.teams }}</div>
            <board-row v-for="(row, index) in part('teams')" :key="index" :row="row" />
          </div>
        </div>
      </template>
      <template v-else-if="slide === 'week'">
        <div class="dq-title">{{ labels.title }}</div>
        <div class="dq-cols">
          <div v-for="(team, column) in part('teams')" :key="column" class="dq-col">
            <div class="dq-h2">{{ team[0] }}</div>
            <div v-if="!part(column).length" class="dq-row dq-muted">{{ labels.empty }}</div>
            <board-row v-for="(row, index) in part(column)" :key="index" :row="row" />
          </div>
        </div>
      </template>
      <template v-else-if="slide === 'missions'">
        <div class="dq-title">{{ labels.title }}</div>
        <div class="dq-col">
          <div v-if="!part('rows').length" class="dq-row dq-muted">{{ labels.empty }}</div>
          <template v-for="(mission, index) in part('rows')" :key="index">
            <div class="dq-row">
              <div class="dq-name">{{ mission[0] }}</div>
              <div class="dq-num">{{ mission[1] }}</div>
            </div>
            <div class="dq-bar"><div :style="{ width: mission[2] }"></div></div>
          </template>
        </div>
      </template>
      <template v-else-if="slide === 'queue'">
        <div class="dq-title">{{ labels.title }}</div>
        <div class="dq-cols">
          <div class="dq-col">
            <div class="dq-h2">{{ labels.waiting }}</div>
            <div v-for="(row, index) in part('waiting')" :key="index" class="dq-row">
              <q-icon :name="row[0]" style="color: #ffc857" />
              <div class="dq-name">{{ row[1] }}</div>
              <div class="dq-num">{{ row[2] }}</div>
            </div>
          </div>
          <div class="dq-col">
            <div class="dq-h2">{{ labels.csat }}</div>
            <template v-for="(row, index) in part('csat')" :key="index">
              <div class="dq-big">{{ row[0] }}</div>
              <div class="dq-muted">{{ row[1] }}</div>
            </template>
          </div>
        </div>
      </template>
      <template v-else-if="slide === 'celebrations'">
        <div class="dq-title">{{ labels.title }}</div>
        <div class="dq-col">
          <div v-if="!part('rows').length" class="dq-row dq-muted">{{ labels.empty }}</div>
          <div v-for="(row, index) in part('rows')" :key="index" class="dq-row">
            <q-icon :name="row[0]" style="color: #ffc857" />
            <div class="dq-name">{{ row[1] }}</div>
          </div>
        </div>
      </template>
      <template v-else-if="slide === 'trophies'">
        <div class="dq-title">{{ labels.title }}</div>
        <div class="dq-grid">
          <div v-for="(trophy, column) in part('heads')" :key="column" class="dq-col">
            <div class="dq-row">
              <q-icon :name="trophy[0]" style="color: #ffc857" />
              <div class="dq-h2 dq-name">{{ trophy[1] }}</div>
            </div>
            <div v-if="!part(column).length" class="dq-row dq-muted">{{ labels.empty }}</div>
            <board-row v-for="(row, index) in part(column)" :key="index" :row="row" />
          </div>
        </div>
      </template>
    </div>
  `,
  props: {
    initial: Object, // a full message with this slide's parts, as of the page's build
    slide: String, // 'today' | 'week' | 'missions' | 'queue' | 'celebrations' | 'trophies'
    labels: Object, // the slide's fixed texts, in the display's language
  },
  data() {
    return { parts: {}, version: -1 };
  },
  created() {
    this.receive(this.initial);
  },
  methods: {
    part(name) {
      return this.parts[name] || [];
    },
    receive(message) {
      if (!message || message.key !== this.initial.key) return;
      if (message.full) {
        if (message.v < this.version) return; // a newer patch is already in
        this.parts = {};
      } else if (message.v <= this.version) return; // already in a full message sent since
      else if (message.v !== this.version + 1) {
        if (!this.resyncing) this.$emit("resync"); // a patch went missing: ask for every part, once
        this.resyncing = true;
        return;
      }
      this.resyncing = false;
      this.version = message.v;
      const prefix = this.slide + "/";
      for (const [name, [length, changed]] of Object.entries(message.parts)) {
        if (!name.startsWith(prefix)) continue;
        const key = name.slice(prefix.length);
        const rows = (this.parts[key] || []).slice(0, length);
        for (const [index, row] of changed) rows[index] = row;
        this.parts[key] = rows;
      }
    },
  },
};
