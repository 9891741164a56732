package dev.kumaforge.reports.render.internal;

/** The inline stylesheet shared by the HTML reports (run report and capacity report). */
public final class Style {
  private Style() {}

  /** The CSS, inlined in a {@code <style>} element. */
  public static final String CSS =
      """
      :root{--fg:#1d232a;--muted:#5b6773;--line:#e3e7eb;--bg:#f6f8fa;--pass:#1a7f37;\
      --fail:#cf222e;--invalid:#9a6700}
      *{box-sizing:border-box}
      body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,\
      sans-serif;color:var(--fg);background:var(--bg)}
      main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
      header{display:flex;align-items:center;gap:16px;flex-wrap:wrap}
      h1{font-size:22px;margin:0}
      h2{font-size:17px;margin:32px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}
      h3{font-size:15px;margin:20px 0 8px}
      .badge{display:inline-block;padding:3px 12px;border-radius:999px;color:#fff;font-weight:700;\
      letter-spacing:.04em}
      .pass{background:var(--pass)}.fail{background:var(--fail)}.invalid{background:var(--invalid)}
      .meta{color:var(--muted);margin:6px 0 0}
      .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;\
      margin:12px 0}
      .warn{border-left:5px solid var(--invalid);background:#fff8c5}
      table{border-collapse:collapse;width:100%;background:#fff;font-variant-numeric:tabular-nums}
      th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;\
      white-space:nowrap}
      th{background:#f0f3f6;font-weight:600;color:#33404d;white-space:normal;vertical-align:bottom}
      th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
      td.bad{color:var(--fail);font-weight:700}td.good{color:var(--pass);font-weight:600}
      tr.spread td{color:var(--muted);font-style:italic}
      .scroll{overflow-x:auto}
      svg{width:100%;height:auto;display:block}
      dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
      dt{font-weight:600}dd{margin:0;color:#33404d}
      .note{color:var(--muted);font-size:13px}
      .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
      .grid .card{margin:0}
      .bad-note{color:var(--invalid);font-weight:700}
      table.wrap td,table.wrap th{white-space:normal;text-align:left;vertical-align:top}
      table.published td{background:#fbfbf4}
      table.published td:last-child{color:var(--invalid);font-weight:700;white-space:nowrap}
      """;
}
