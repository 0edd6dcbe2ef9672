// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

extension Assets {
    /// The stylesheet. Status colours pass WCAG AA (4.5:1) against their badge backgrounds;
    /// WebUITests computes each ratio in the browser.
    static let styleText = #"""
        :root{--fg:#1f2328;--muted:#57606a;--bg:#fff;--line:#d0d7de;--link:#0550ae;--focus:#0969da;--panel:#f6f8fa;
        --log-bg:#0d1117;--log-fg:#e6edf3;--log-ln:#8b949e;--row:20px}
        *{box-sizing:border-box}
        [hidden]{display:none!important}
        html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
        body{margin:0;min-width:320px}
        a{color:var(--link)}
        a:hover{text-decoration:none}
        :focus-visible{outline:3px solid var(--focus);outline-offset:2px}
        code,pre,.log-viewer{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
        .skip{position:absolute;left:-9999px;top:0;background:#fff;padding:.5em 1em;z-index:10}
        .skip:focus{left:.5em}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        header.top{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5em;padding:.5em 1em;border-bottom:1px solid var(--line);background:var(--panel)}
        header.top nav a{margin-right:1em;font-weight:600}
        .brand{color:var(--fg);text-decoration:none;font-size:1.1em}
        .account{display:flex;gap:.5em;align-items:center;flex-wrap:wrap}
        main{padding:1em;max-width:1400px;margin:0 auto}
        main:focus{outline:none}
        footer.bottom{padding:1em;color:var(--muted);border-top:1px solid var(--line);font-size:.9em}
        h1{font-size:1.5em;margin:.2em 0 .5em;display:flex;flex-wrap:wrap;gap:.4em;align-items:center}
        h1 .id{color:var(--muted);font-weight:400}
        h2{font-size:1.2em}
        form.inline{display:inline}
        button{font:inherit;padding:.3em .8em;border:1px solid #8c959f;border-radius:6px;background:#f6f8fa;color:var(--fg);cursor:pointer;min-height:2.2em}
        button:hover{background:#eaeef2}
        button.danger{color:#a40e26;border-color:#a40e26}
        input[type=text],input[type=search],input[type=password]{font:inherit;padding:.3em .5em;border:1px solid #8c959f;border-radius:6px;max-width:100%}
        .filters{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin-bottom:1em}
        .login{display:flex;flex-direction:column;gap:.5em;max-width:24em}
        .table-scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:.4em .6em;border-bottom:1px solid var(--line);white-space:nowrap}
        th{font-size:.85em;color:var(--muted);font-weight:600}
        .status{display:inline-flex;align-items:center;gap:.25em;padding:0 .5em;border-radius:1em;border:1px solid currentColor;font-size:.85em;font-weight:600;line-height:1.6;white-space:nowrap}
        .status[data-status=success]{color:#116329;background:#dafbe1}
        .status[data-status=failed]{color:#a40e26;background:#ffebe9}
        .status[data-status=running]{color:#0550ae;background:#ddf4ff}
        .status[data-status=pending]{color:#7d4e00;background:#fff8c5}
        .status[data-status=created],.status[data-status=canceled],.status[data-status=skipped]{color:#424a53;background:#eaeef2}
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0 0 1em}
        .facts dt{color:var(--muted)}
        .facts dd{margin:0;overflow-wrap:anywhere}
        .problem{border-left:4px solid #a40e26;background:#ffebe9;padding:.5em 1em;color:#1f2328}
        .notice{background:#ddf4ff;padding:.4em 1em;border-radius:6px}
        .actions{display:flex;gap:.5em;margin:0 0 1em;flex-wrap:wrap}
        .stages{display:flex;gap:1em;overflow-x:auto;align-items:flex-start;padding-bottom:.5em}
        .stage{min-width:14em;flex:0 0 auto;background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:.5em}
        .stage h3{margin:0 0 .5em;font-size:1em;text-transform:capitalize}
        .stage ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:.4em}
        .job{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.4em .5em;display:flex;flex-wrap:wrap;gap:.3em;align-items:center}
        .job-link{display:inline-flex;gap:.4em;align-items:center;text-decoration:none;color:var(--fg);font-weight:600}
        .job-link:hover .job-name{text-decoration:underline}
        .duration,.tag{color:var(--muted);font-size:.85em}
        .job form button{font-size:.8em;min-height:1.8em;padding:.1em .5em}
        .crumbs{font-size:.9em;margin-bottom:.5em}
        .pager{margin-top:1em;display:flex;gap:1em}
        .log-tools{display:flex;flex-wrap:wrap;gap:.5em 1.5em;align-items:center;margin-bottom:.5em}
        .log-search{display:flex;flex-wrap:wrap;gap:.4em;align-items:center}
        .log-options{display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center}
        .log-links{margin:.2em 0 .5em}
        pre.log{background:var(--log-bg);color:var(--log-fg);padding:.5em 0;margin:0;overflow:auto;max-height:70vh;line-height:var(--row)}
        .line{padding-right:1em}
        .ln{display:inline-block;min-width:4.5em;padding:0 1em 0 .5em;text-align:right;color:var(--log-ln);text-decoration:none;user-select:none}
        .ln:hover{color:var(--log-fg);text-decoration:underline}
        .log-viewer{position:relative;background:var(--log-bg);color:var(--log-fg);height:70vh;min-height:12em;overflow:auto;border-radius:6px;line-height:var(--row)}
        .log-viewer:focus-visible{outline-offset:-3px}
        .log-viewer .spacer{position:relative}
        .log-viewer .rows{position:absolute;left:0;top:0;min-width:100%}
        .row{height:var(--row);white-space:pre;padding-right:1em}
        .row.target{background:#3b2e00}
        .row.section .text{font-weight:700}
        .toggle{background:none;border:0;color:var(--log-fg);min-height:0;padding:0 .3em;font:inherit;line-height:var(--row);border-radius:3px}
        .toggle:hover{background:#30363d}
        .toggle-space{display:inline-block;width:1.6em}
        .sdur{color:#b1bac4;margin-left:1em;font-weight:400}
        .ts{color:var(--log-ln);padding-right:1em}
        .log-viewer mark{background:#d29922;color:#0d1117}
        .log-viewer mark.current{background:#f0883e;outline:2px solid #fff}
        .f0{color:#8b949e}.f1{color:#ff7b72}.f2{color:#3fb950}.f3{color:#d29922}.f4{color:#58a6ff}.f5{color:#bc8cff}.f6{color:#39c5cf}.f7{color:#b1bac4}
        .f8{color:#8b949e}.f9{color:#ffa198}.f10{color:#56d364}.f11{color:#e3b341}.f12{color:#79c0ff}.f13{color:#d2a8ff}.f14{color:#56d4dd}.f15{color:#ffffff}
        .g0{background:#484f58}.g1{background:#b62324}.g2{background:#196c2e}.g3{background:#7d5e00}.g4{background:#1f4a8f}.g5{background:#6e40c9}.g6{background:#1b6a71}.g7{background:#6e7681;color:#fff}
        .g8{background:#6e7681}.g9{background:#da3633}.g10{background:#2ea043}.g11{background:#bb8009}.g12{background:#388bfd}.g13{background:#8957e5}.g14{background:#2b9ca6}.g15{background:#b1bac4;color:#0d1117}
        .b{font-weight:700}.i{font-style:italic}.u{text-decoration:underline}.d{opacity:.7}
        .empty-log{color:var(--muted)}
        @media (max-width:600px){main{padding:.5em}.facts{grid-template-columns:1fr}.facts dt{font-weight:600}.facts dd{margin-bottom:.3em}
        .ln{min-width:3em;padding:0 .5em 0 .2em}.stages{flex-direction:column}.stage{min-width:0;width:100%}}
        """#
}
