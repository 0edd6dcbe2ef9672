// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

extension Assets {
    /// The pages' script: live statuses from `/v1/events` and the job log viewer. Plain
    /// JavaScript, no framework. Text from a job only ever reaches the page as `textContent`
    /// or a text node, never as markup.
    static let scriptText = #"""
        'use strict';
        (() => {
        const body = document.body;
        const page = body.dataset.page;
        const STATUS = {success: ['✓', 'passed'], failed: ['✗', 'failed'], running: ['▶', 'running'], pending: ['…', 'pending'],
          created: ['○', 'created'], canceled: ['⊘', 'canceled'], skipped: ['»', 'skipped']};
        const FINISHED = new Set(['success', 'failed', 'canceled', 'skipped']);
        const REASONS = {
          script_failure: c => 'The script failed: a command exited with status ' + (c == null ? 'other than 0' : c) + '.',
          job_execution_timeout: () => 'The job ran past its timeout and was stopped.',
          runner_system_failure: () => "slipway or its Docker engine failed; this is not the job's fault. Retrying usually helps.",
          canceled_by_user: () => 'Someone canceled it.',
          image_not_found: () => "The job's image does not exist on the Docker engine.",
          config_error: () => 'The pipeline configuration is invalid.',
          auto_canceled: () => 'A newer pipeline for the same ref superseded it.',
          unknown_failure: () => 'It failed for a reason slipway does not know.'};

        function duration(seconds) {
          if (seconds == null) return '—';
          seconds = Math.max(0, seconds);
          if (seconds < 10) return (Math.round(seconds * 10) / 10) + ' s';
          const whole = Math.round(seconds);
          if (whole < 60) return whole + ' s';
          if (whole < 3600) return Math.floor(whole / 60) + ' min ' + (whole % 60) + ' s';
          return Math.floor(whole / 3600) + ' h ' + (Math.floor(whole / 60) % 60) + ' min';
        }
        function localTime(el) {
          const d = new Date(el.getAttribute('datetime'));
          if (!isNaN(d)) { el.textContent = d.toLocaleString(); el.title = el.getAttribute('datetime'); }
        }
        function setTime(dd, iso) {
          dd.replaceChildren();
          if (!iso) { dd.textContent = '—'; return; }
          const t = document.createElement('time');
          t.setAttribute('datetime', iso);
          dd.appendChild(t);
          localTime(t);
        }
        function setStatus(root, status) {
          const b = root && root.querySelector('.status');
          if (!b || b.dataset.status === status) return;
          const s = STATUS[status] || ['?', status];
          b.dataset.status = status;
          b.querySelector('.icon').textContent = s[0];
          b.querySelector('.word').textContent = s[1];
        }
        function toggleActions(root, status) {
          for (const form of root.querySelectorAll('form[data-show-when]')) {
            form.hidden = (form.dataset.showWhen === 'finished') !== FINISHED.has(status);
          }
        }
        function subscribe(query, handlers) {
          if (!window.EventSource) return null;
          const source = new EventSource('/v1/events' + query);
          for (const type of ['job', 'pipeline']) {
            source.addEventListener(type, e => { if (handlers[type]) handlers[type](JSON.parse(e.data)); });
          }
          return source;
        }
        function showNotice(id) {
          const notice = document.getElementById(id);
          if (!notice || !notice.hidden) return;
          notice.querySelector('a').href = location.pathname + location.search;
          notice.hidden = false;
        }
        const attr = v => encodeURIComponent(v);

        // ---------------------------------------------------------------- ANSI

        const PALETTE = (() => {
          const p = [];
          const levels = [0, 95, 135, 175, 215, 255];
          for (let n = 16; n < 232; n++) {
            const v = n - 16;
            p[n] = 'rgb(' + levels[Math.floor(v / 36)] + ',' + levels[Math.floor(v / 6) % 6] + ',' + levels[v % 6] + ')';
          }
          for (let n = 232; n < 256; n++) { const g = 8 + 10 * (n - 232); p[n] = 'rgb(' + g + ',' + g + ',' + g + ')'; }
          return p;
        })();
        const PLAIN = Object.freeze({fg: null, bg: null, b: false, i: false, u: false, d: false});
        function applySGR(state, params) {
          const s = Object.assign({}, state);
          const codes = params === '' ? [0] : params.split(/[;:]/).map(x => parseInt(x, 10) || 0);
          for (let k = 0; k < codes.length; k++) {
            const c = codes[k];
            if (c === 0) Object.assign(s, PLAIN);
            else if (c === 1) s.b = true;
            else if (c === 2) s.d = true;
            else if (c === 3) s.i = true;
            else if (c === 4) s.u = true;
            else if (c === 22) { s.b = false; s.d = false; }
            else if (c === 23) s.i = false;
            else if (c === 24) s.u = false;
            else if (c >= 30 && c <= 37) s.fg = c - 30;
            else if (c === 39) s.fg = null;
            else if (c >= 40 && c <= 47) s.bg = c - 40;
            else if (c === 49) s.bg = null;
            else if (c >= 90 && c <= 97) s.fg = c - 82;
            else if (c >= 100 && c <= 107) s.bg = c - 92;
            else if (c === 38 || c === 48) {
              let colour = null;
              if (codes[k + 1] === 5 && k + 2 < codes.length) { const n = codes[k + 2] & 255; colour = n; k += 2; }
              else if (codes[k + 1] === 2 && k + 4 < codes.length) {
                colour = 'rgb(' + (codes[k + 2] & 255) + ',' + (codes[k + 3] & 255) + ',' + (codes[k + 4] & 255) + ')'; k += 4;
              }
              if (c === 38) s.fg = colour; else s.bg = colour;
            }
          }
          return s;
        }
        const TOKEN = /\x1b\[([0-9;:?<=>]*)[ -\/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\r/g;
        // The runs of a line as a terminal shows it, from `state`; returns [runs, state at its end].
        function parseLine(text, state) {
          while (text.endsWith('\r')) text = text.slice(0, -1);
          let runs = [];
          if (text.indexOf('\x1b') < 0 && text.indexOf('\r') < 0) { if (text) runs.push([state, text]); return [runs, state]; }
          let last = 0;
          TOKEN.lastIndex = 0;
          let m;
          while ((m = TOKEN.exec(text)) !== null) {
            if (m.index > last) runs.push([state, text.slice(last, m.index)]);
            last = TOKEN.lastIndex;
            if (m[0] === '\r') runs = [];
            else if (m[2] === 'm') state = applySGR(state, m[1]);
          }
          if (last < text.length) runs.push([state, text.slice(last)]);
          return [runs, state];
        }
        function finalState(text, state) {
          if (text.indexOf('\x1b[') < 0) return state;
          return parseLine(text, state)[1];
        }
        function styleSpan(state, text) {
          if (state === PLAIN || (state.fg == null && state.bg == null && !state.b && !state.i && !state.u && !state.d)) {
            return document.createTextNode(text);
          }
          const span = document.createElement('span');
          const classes = [];
          if (typeof state.fg === 'number') { if (state.fg < 16) classes.push('f' + state.fg); else span.style.color = PALETTE[state.fg]; }
          else if (typeof state.fg === 'string') span.style.color = state.fg;
          if (typeof state.bg === 'number') { if (state.bg < 16) classes.push('g' + state.bg); else span.style.backgroundColor = PALETTE[state.bg]; }
          else if (typeof state.bg === 'string') span.style.backgroundColor = state.bg;
          if (state.b) classes.push('b');
          if (state.i) classes.push('i');
          if (state.u) classes.push('u');
          if (state.d) classes.push('d');
          span.className = classes.join(' ');
          span.textContent = text;
          return span;
        }

        // ---------------------------------------------------------------- log viewer

        const MARKER = /section_(start|end):(\d*):([A-Za-z0-9_.-]+)(\[[^\]\r]*\])?/;
        const utf8Length = s => {
          let n = s.length;
          if (!/[^\x00-\x7f]/.test(s)) return n;
          n = 0;
          for (let k = 0; k < s.length; k++) {
            const c = s.charCodeAt(k);
            if (c < 0x80) n += 1; else if (c < 0x800) n += 2;
            else if (c >= 0xd800 && c <= 0xdbff) { n += 4; k++; } else n += 3;
          }
          return n;
        };

        function LogViewer(jobId, finished) {
          this.jobId = jobId;
          this.lines = [];          // complete lines, without their line feed
          this.partial = '';        // the last line while it has no line feed
          this.kind = [];           // 0 text, 1 section header, 2 section end marker with nothing else
          this.owner = [];          // innermost section a line belongs to, or -1
          this.starts = [];         // byte offset of each line
          this.received = [];       // arrival time (ms) of each line, from the stream
          this.sections = [];       // {name, header, end, t0, t1, collapsed, parent}
          this.headerOf = new Map();
          this.open = [];
          this.carry = new Map();   // line -> ANSI state at its start, when not plain
          this.state = PLAIN;
          this.times = [];          // [offset, ms] from the server: when the bytes from offset arrived
          this.bytes = 0;
          this.visible = [];
          this.plainCache = [];
          this.matches = [];
          this.match = -1;
          this.query = '';
          this.target = -1;
          this.pendingAnchor = null;
          this.dirty = true;
          this.range = [-1, -1];
          this.complete = false;
          this.firstShown = false;
          this.build(finished);
          this.connect();
        }
        LogViewer.prototype.build = function (finished) {
          this.viewport = document.getElementById('log-viewer');
          this.viewport.tabIndex = 0;
          this.viewport.setAttribute('role', 'region');
          this.viewport.setAttribute('aria-label', 'Job log');
          this.spacer = document.createElement('div');
          this.spacer.className = 'spacer';
          this.rows = document.createElement('div');
          this.rows.className = 'rows';
          this.spacer.appendChild(this.rows);
          this.viewport.appendChild(this.spacer);
          document.getElementById('log-static').hidden = true;
          document.getElementById('log-tools').hidden = false;
          this.viewport.hidden = false;
          this.rowHeight = 20;
          this.follow = document.getElementById('log-follow');
          this.follow.checked = !finished;
          this.timestamps = document.getElementById('log-timestamps');
          this.timestamps.addEventListener('change', () => this.redraw());
          this.follow.addEventListener('change', () => { if (this.follow.checked) this.scrollToEnd(); });
          this.viewport.addEventListener('scroll', () => {
            const v = this.viewport;
            if (this.follow.checked && v.scrollTop + v.clientHeight < v.scrollHeight - 2 * this.rowHeight && !this.autoScroll) this.follow.checked = false;
            this.autoScroll = false;
            this.schedule();
          }, {passive: true});
          this.rows.addEventListener('click', e => {
            const toggle = e.target.closest('.toggle');
            if (toggle) this.toggle(+toggle.dataset.section);
          });
          document.getElementById('log-collapse').addEventListener('click', () => this.setAll(true));
          document.getElementById('log-expand').addEventListener('click', () => this.setAll(false));
          const form = document.getElementById('log-search');
          const input = document.getElementById('log-query');
          form.addEventListener('submit', e => { e.preventDefault(); this.find(input.value, 1); });
          document.getElementById('log-previous').addEventListener('click', () => this.find(input.value, -1));
          input.addEventListener('keydown', e => { if (e.key === 'Escape') { input.value = ''; this.find('', 1); } });
          window.addEventListener('hashchange', () => this.anchor());
          window.addEventListener('resize', () => this.redraw());
          this.anchor();
        };
        LogViewer.prototype.connect = function () {
          if (!window.EventSource) return;
          const source = new EventSource('/v1/jobs/' + encodeURIComponent(this.jobId) + '/log/events');
          this.source = source;
          source.addEventListener('log', e => {
            const piece = JSON.parse(e.data);
            const end = parseInt(e.lastEventId, 10);
            if (piece.times) for (const t of piece.times) this.times.push(t);
            this.append(piece.text, isNaN(end) ? this.bytes + utf8Length(piece.text) : end);
          });
          source.addEventListener('end', () => {
            source.close();
            this.complete = true;
            this.viewport.dataset.state = 'complete';
            this.schedule();
          });
        };
        LogViewer.prototype.append = function (text, endOffset) {
          const now = Date.now();
          const pieces = (this.partial + text).split('\n');
          this.partial = pieces.pop();
          let offset = this.partialStart != null ? this.partialStart : this.bytes;
          for (const line of pieces) {
            this.scan(line, offset, now);
            offset += utf8Length(line) + 1;
          }
          this.partialStart = offset;
          this.bytes = endOffset;
          this.dirty = true;
          this.schedule();
        };
        LogViewer.prototype.scan = function (line, offset, now) {
          const i = this.lines.length;
          this.lines.push(line);
          this.starts.push(offset);
          this.received.push(now);
          if (this.state !== PLAIN) this.carry.set(i, this.state);
          this.state = finalState(line, this.state);
          let kind = 0;
          if (line.indexOf('section_') >= 0) {
            const m = MARKER.exec(line);
            if (m && m[1] === 'start') {
              const index = this.sections.length;
              this.sections.push({name: m[3], header: i, end: -1, t0: m[2] ? +m[2] : null, t1: null,
                collapsed: /collapsed=true/.test(m[4] || ''), parent: this.open.length ? this.open[this.open.length - 1] : -1});
              this.open.push(index);
              this.headerOf.set(i, index);
              kind = 1;
            } else if (m) {
              for (let k = this.open.length - 1; k >= 0; k--) {
                const s = this.sections[this.open[k]];
                if (s.name !== m[3]) continue;
                // Only this section ends: one opened inside it and still open (a section of
                // the job's own that spans several script lines) goes on.
                s.end = i;
                s.t1 = m[2] ? +m[2] : null;
                this.owner.push(this.open[k]);
                this.open.splice(k, 1);
                kind = parseLine(line, PLAIN)[0].every(r => r[1] === '') ? 2 : 0;
                this.kind.push(kind);
                return;
              }
            }
          }
          this.kind.push(kind);
          this.owner.push(this.open.length ? this.open[this.open.length - 1] : -1);
        };
        LogViewer.prototype.count = function () { return this.lines.length + (this.partial ? 1 : 0); };
        LogViewer.prototype.lineText = function (i) { return i < this.lines.length ? this.lines[i] : this.partial; };
        LogViewer.prototype.computeVisible = function () {
          const n = this.count();
          const out = [];
          let i = 0;
          while (i < n) {
            if (i < this.lines.length) {
              const kind = this.kind[i];
              if (kind === 2) { i++; continue; }
              out.push(i);
              if (kind === 1) {
                const s = this.sections[this.headerOf.get(i)];
                if (s.collapsed) { i = s.end >= 0 ? s.end + 1 : n; continue; }
              }
            } else out.push(i);
            i++;
          }
          this.visible = out;
          this.dirty = false;
        };
        LogViewer.prototype.schedule = function () {
          if (this.frame) return;
          this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
        };
        LogViewer.prototype.redraw = function () { this.range = [-1, -1]; this.schedule(); };
        LogViewer.prototype.scrollToEnd = function () {
          this.autoScroll = true;
          this.viewport.scrollTop = this.viewport.scrollHeight;
        };
        LogViewer.prototype.draw = function () {
          const grew = this.dirty;
          if (this.dirty) { this.computeVisible(); this.range = [-1, -1]; }
          const h = this.rowHeight;
          this.spacer.style.height = (this.visible.length * h) + 'px';
          if (grew && this.follow.checked) this.scrollToEnd();
          if (this.pendingAnchor != null) this.anchor();
          const top = this.viewport.scrollTop;
          const first = Math.max(0, Math.floor(top / h) - 30);
          const last = Math.min(this.visible.length, Math.ceil((top + this.viewport.clientHeight) / h) + 30);
          if (first === this.range[0] && last === this.range[1]) return;
          this.range = [first, last];
          const fragment = document.createDocumentFragment();
          for (let v = first; v < last; v++) fragment.appendChild(this.row(this.visible[v]));
          this.rows.style.transform = 'translateY(' + (first * h) + 'px)';
          this.rows.replaceChildren(fragment);
          this.viewport.dataset.lines = String(this.count());
          this.viewport.dataset.rendered = String(last - first);
          if (!this.firstShown && last > first) {
            this.firstShown = true;
            performance.mark('slipway-log-first-lines');
            this.viewport.dataset.firstLines = 'shown';
          }
          if (this.markTarget && this.rows.querySelector('.row.target')) {
            this.markTarget = false;
            performance.mark('slipway-log-target-shown');
          }
          if (this.complete && !this.completeMarked) {
            this.completeMarked = true;
            performance.mark('slipway-log-complete');
          }
        };
        LogViewer.prototype.timeOf = function (i) {
          const offset = this.starts[i] != null ? this.starts[i] : this.partialStart;
          let lo = 0, hi = this.times.length - 1, found = -1;
          while (lo <= hi) { const mid = (lo + hi) >> 1; if (this.times[mid][0] <= offset) { found = mid; lo = mid + 1; } else hi = mid - 1; }
          if (found >= 0) return this.times[found][1];
          return this.received[i] != null ? this.received[i] : Date.now();
        };
        const pad = (n, w) => String(n).padStart(w, '0');
        LogViewer.prototype.row = function (i) {
          const row = document.createElement('div');
          row.className = 'row';
          if (i === this.target) row.classList.add('target');
          const number = document.createElement('a');
          number.className = 'ln';
          number.href = '#L' + (i + 1);
          number.tabIndex = -1;
          number.textContent = String(i + 1);
          row.appendChild(number);
          if (this.timestamps.checked) {
            const t = new Date(this.timeOf(i));
            const ts = document.createElement('span');
            ts.className = 'ts';
            ts.textContent = pad(t.getHours(), 2) + ':' + pad(t.getMinutes(), 2) + ':' + pad(t.getSeconds(), 2);
            row.appendChild(ts);
          }
          const sectionIndex = this.headerOf.get(i);
          if (sectionIndex != null) {
            const s = this.sections[sectionIndex];
            row.classList.add('section');
            const toggle = document.createElement('button');
            toggle.type = 'button';
            toggle.className = 'toggle';
            toggle.dataset.section = String(sectionIndex);
            toggle.setAttribute('aria-expanded', String(!s.collapsed));
            toggle.setAttribute('aria-label', (s.collapsed ? 'Expand' : 'Collapse') + ' section ' + s.name);
            toggle.textContent = s.collapsed ? '▸' : '▾';
            row.appendChild(toggle);
          } else {
            const space = document.createElement('span');
            space.className = 'toggle-space';
            row.appendChild(space);
          }
          const text = document.createElement('span');
          text.className = 'text';
          const [runs] = parseLine(this.lineText(i), this.carry.get(i) || PLAIN);
          const q = this.query;
          for (const [state, piece] of runs) {
            if (!q || piece.toLowerCase().indexOf(q) < 0) { text.appendChild(styleSpan(state, piece)); continue; }
            const lower = piece.toLowerCase();
            let at = 0, hit;
            while ((hit = lower.indexOf(q, at)) >= 0) {
              if (hit > at) text.appendChild(styleSpan(state, piece.slice(at, hit)));
              const mark = document.createElement('mark');
              if (this.matches[this.match] === i) mark.className = 'current';
              mark.appendChild(styleSpan(state, piece.slice(hit, hit + q.length)));
              text.appendChild(mark);
              at = hit + q.length;
            }
            if (at < piece.length) text.appendChild(styleSpan(state, piece.slice(at)));
          }
          row.appendChild(text);
          if (sectionIndex != null) {
            const s = this.sections[sectionIndex];
            if (s.t0 != null && s.t1 != null) {
              const d = document.createElement('span');
              d.className = 'sdur';
              d.textContent = duration(s.t1 - s.t0);
              row.appendChild(d);
            }
          }
          return row;
        };
        LogViewer.prototype.toggle = function (index) {
          const s = this.sections[index];
          s.collapsed = !s.collapsed;
          this.dirty = true;
          this.schedule();
          requestAnimationFrame(() => {
            const button = this.rows.querySelector('.toggle[data-section="' + index + '"]');
            if (button) button.focus();
          });
        };
        LogViewer.prototype.setAll = function (collapsed) {
          for (const s of this.sections) s.collapsed = collapsed;
          this.dirty = true;
          this.schedule();
        };
        // Opens every collapsed section around line i, so it can be shown.
        LogViewer.prototype.reveal = function (i) {
          let s = this.owner[i];
          while (s != null && s >= 0) {
            const section = this.sections[s];
            if (section.collapsed && section.header !== i) { section.collapsed = false; this.dirty = true; }
            s = section.parent;
          }
          if (this.dirty) this.computeVisible();
        };
        LogViewer.prototype.show = function (i) {
          this.reveal(i);
          let lo = 0, hi = this.visible.length - 1, at = -1;
          while (lo <= hi) { const mid = (lo + hi) >> 1; if (this.visible[mid] < i) lo = mid + 1; else { at = mid; hi = mid - 1; } }
          if (at < 0) at = this.visible.length - 1;
          if (at < 0) return;
          this.follow.checked = false;
          this.spacer.style.height = (this.visible.length * this.rowHeight) + 'px';
          this.viewport.scrollTop = Math.max(0, at * this.rowHeight - this.viewport.clientHeight / 3);
          this.redraw();
        };
        LogViewer.prototype.anchor = function () {
          const m = /^#L(\d+)$/.exec(location.hash);
          if (!m) return;
          const line = parseInt(m[1], 10) - 1;
          if (line >= this.count()) { this.pendingAnchor = line; return; }
          this.pendingAnchor = null;
          this.target = line;
          this.show(line);
          if (!this.anchorMarked) { this.anchorMarked = true; this.markTarget = true; }
        };
        LogViewer.prototype.plain = function (i) {
          if (i >= this.lines.length) return parseLine(this.partial, PLAIN)[0].map(r => r[1]).join('');
          let p = this.plainCache[i];
          if (p === undefined) {
            const line = this.lines[i];
            p = (line.indexOf('\x1b') < 0 && line.indexOf('\r') < 0) ? line : parseLine(line, PLAIN)[0].map(r => r[1]).join('');
            this.plainCache[i] = p;
          }
          return p;
        };
        // Searches every line of the log, shown or not; `direction` steps through the matches.
        LogViewer.prototype.find = function (query, direction) {
          const q = query.toLowerCase();
          const status = document.getElementById('log-matches');
          if (q !== this.query || this.searchedCount !== this.count()) {
            this.query = q;
            this.matches = [];
            this.match = -1;
            this.searchedCount = this.count();
            if (q) {
              const n = this.count();
              for (let i = 0; i < n; i++) if (this.plain(i).toLowerCase().indexOf(q) >= 0) this.matches.push(i);
            }
          }
          if (!q) { status.textContent = ''; this.redraw(); return; }
          if (!this.matches.length) { status.textContent = 'No matches'; this.redraw(); return; }
          this.match = (this.match + direction + this.matches.length) % this.matches.length;
          if (this.match < 0) this.match = 0;
          status.textContent = (this.match + 1) + ' of ' + this.matches.length;
          this.target = this.matches[this.match];
          this.show(this.matches[this.match]);
        };
        document.querySelectorAll('time[datetime]').forEach(localTime);

        if (page === 'pipelines') {
          let query = '?type=pipeline';
          if (body.dataset.project) query += '&project=' + attr(body.dataset.project);
          if (body.dataset.ref) query += '&ref=' + attr(body.dataset.ref);
          const firstPage = !new URLSearchParams(location.search).has('cursor');
          subscribe(query, {pipeline: p => {
            const row = document.querySelector('tr[data-pipeline-id="' + p.id + '"]');
            if (row) setStatus(row, p.status); else if (firstPage) showNotice('new-pipelines');
          }});
        } else if (page === 'pipeline') {
          const id = body.dataset.pipelineId;
          subscribe('?pipeline_id=' + attr(id), {
            job: j => {
              const item = document.querySelector('li.job[data-job-id="' + j.id + '"]');
              if (!item) { showNotice('new-jobs'); return; }
              setStatus(item, j.status);
              toggleActions(item, j.status);
              const d = item.querySelector('.duration');
              if (d && j.duration != null) d.textContent = duration(j.duration);
            },
            pipeline: p => {
              setStatus(document.getElementById('pipeline-status'), p.status);
              const actions = document.querySelector('.actions');
              if (actions) toggleActions(actions, p.status);
            }});
        } else if (page === 'job') {
          const id = body.dataset.jobId;
          const viewer = new LogViewer(id, FINISHED.has(body.dataset.status));
          subscribe('?type=job&job_id=' + attr(id), {job: j => {
            body.dataset.status = j.status;
            setStatus(document.getElementById('job-status'), j.status);
            const actions = document.querySelector('.actions');
            if (actions) toggleActions(actions, j.status);
            for (const dd of document.querySelectorAll('dd[data-field]')) {
              const field = dd.dataset.field;
              if (field === 'started_at' || field === 'finished_at') setTime(dd, j[field]);
              else if (field === 'duration' || field === 'queued_duration') dd.textContent = duration(j[field]);
              else if (field === 'exit_code') dd.textContent = j.exit_code == null ? '—' : String(j.exit_code);
            }
            const failure = document.getElementById('failure');
            const reason = REASONS[j.failure_reason];
            failure.textContent = reason ? reason(j.exit_code) : '';
            failure.hidden = !reason;
          }});
          window.slipwayLog = viewer;
        }
        })();
        """#
}
