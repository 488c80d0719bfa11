// The leaderboard's rows, drawn in the browser from one shared payload.
// The server serialises each new ranking once per board (the floor's or a team's, per period) and emits it to every
// tab showing that board at once ("deskquest_board"); the page itself only carries the rows it was built with and
// who "me" is. Its words come from the server in the tab's language: the payloads are made once per language in use,
// and the one fixed text ("nobody") is a prop.
import { socketFeed } from "socket_feed";

export default {
  mixins: [socketFeed("deskquest_board", "receive")],
  template: `
    <div class="w-full column no-wrap" :class="kiosk ? 'gap-2' : 'gap-1'">
      <div v-for="row in agents" :key="row[6]" data-testid="board-row"
           class="w-full row items-center no-wrap gap-3 px-2 py-1 rounded" :class="[text, row[6] === me ? highlight : '']">
        <div class="w-10 shrink-0 font-bold text-right">{{ row[0] }}</div>
        <q-icon :name="row[1]" :size="kiosk ? 'lg' : 'sm'" :color="kiosk ? 'amber-5' : 'deep-purple-4'" />
        <div v-if="kiosk" class="grow row items-baseline gap-4 no-wrap min-w-0">
          <div class="truncate font-medium">{{ row[2] }}</div>
          <div class="text-2xl text-grey-6 truncate">{{ detail(row) }}</div>
        </div>
        <div v-else class="grow column gap-0 min-w-0">
          <div class="truncate font-medium w-full">{{ row[2] }}</div>
          <div class="text-xs w-full text-grey-6 truncate">{{ detail(row) }}</div>
        </div>
        <div class="shrink-0 text-right font-bold">{{ row[5] }}</div>
      </div>
      <div v-if="!agents.length && !waiting.length" class="px-2 text-sm text-grey-6">{{ nobody }}</div>
      <div v-for="row in waiting" :key="'u' + row[2]" data-testid="board-unranked"
           class="w-full row items-center no-wrap gap-3 px-2 py-1 rounded text-grey-7"
           :class="[text, row[2] === me ? highlight : '']">
        <div class="w-10 shrink-0 text-right">–</div>
        <div class="grow column gap-0 min-w-0">
          <div class="truncate w-full">{{ row[0] }}</div>
          <div class="text-xs w-full truncate">{{ row[1] }}</div>
        </div>
      </div>
      <div v-if="unranked && latest.more" class="px-2 text-xs text-grey-6">{{ latest.more_text }}</div>
      <slot></slot>
      <div v-for="team in teamRows" :key="team[1]" class="w-full row items-center no-wrap gap-3 px-2" :class="text">
        <div class="w-10 font-bold text-right">{{ team[0] }}</div>
        <div class="grow">{{ team[1] }}</div>
        <div class="w-20 text-right font-bold">{{ team[2] }}</div>
      </div>
    </div>
  `,
  props: {
    // {v: version, key, period, rows: [[rank, icon, name, level, team, points, agent id]], teams,
    //  unranked: [[name, 'Not ranked yet: 2 of 5 resolved', agent id]], more: how many unranked are not listed,
    //  more_text: 'and 3 more not ranked yet'}, in the tab's language
    board: Object,
    me: Number,
    kiosk: Boolean,
    rows: Number,
    teams: Number,
    unranked: Boolean,
    nobody: String, // 'Nobody ranked yet.' in the tab's language
  },
  data() {
    return { live: {} }; // board key -> the latest payload received for it
  },
  computed: {
    latest() {
      const live = this.live[this.board.key];
      return live && live.v > this.board.v ? live : this.board;
    },
    agents() {
      return this.latest.rows.slice(0, this.rows);
    },
    waiting() {
      return this.unranked ? (this.latest.unranked || []).slice(0, this.rows) : [];
    },
    teamRows() {
      return this.latest.teams.slice(0, this.teams);
    },
    text() {
      return this.kiosk ? "text-3xl" : "text-sm";
    },
    highlight() {
      return this.kiosk ? "bg-amber-9" : "bg-amber-2 text-black";
    },
  },
  methods: {
    receive(board) {
      const live = this.live[board.key];
      if (!live || board.v > live.v) this.live[board.key] = board;
    },
    detail(row) {
      return row[4] ? `${row[3]} · ${row[4]}` : row[3];
    },
  },
};
