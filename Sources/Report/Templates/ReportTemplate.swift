/// The report's mustache template, compiled into the binary (no resource
/// bundle: `mailtrace` copied anywhere still writes reports).
///
/// Every `{{name}}` is HTML-escaped by swift-mustache; the triple form
/// `{{{name}}}` is used only for the style sheet, the script and the SVG
/// charts, which are ours (the SVG writer escapes the log text in them).
/// Attribute values are always double-quoted, and log text never lands in
/// an attribute that names a URL, a style or an event handler.
enum ReportTemplate {
  static let page = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="{{csp}}">
    <meta name="referrer" content="no-referrer">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="mailtrace report">
    <title>{{title}}</title>
    <style>{{{stylesheet}}}</style>
    </head>
    <body>
    <header>
    <h1>{{title}}</h1>
    <p class="subtitle">{{subtitle}}</p>
    <nav aria-label="Contents"><ol>
    <li><a href="#summary">Summary</a></li>
    <li><a href="#timeline">Outbreak timeline</a></li>
    <li><a href="#tree">Infection tree</a></li>
    <li><a href="#bounces">Bounce flood</a></li>
    <li><a href="#hosts">Worm log</a></li>
    <li><a href="#forgeries">Forged senders</a></li>
    <li><a href="#details">Infected hosts in detail</a></li>
    <li><a href="#method">Method and sources</a></li>
    </ol></nav>
    </header>

    <section id="summary">
    <h2 class="first">1. Summary</h2>
    <p class="lead data">{{lead}}</p>
    {{#patientZero}}
    <div class="finding">
    <p class="data"><strong>Patient zero:</strong> {{sentence}}</p>
    <p>Confidence: <strong>{{label}}</strong> ({{value}}).</p>
    {{#notes}}<p class="note data">{{.}}</p>
    {{/notes}}
    {{#hasAlternatives}}<p class="note">Other candidates:</p><ul class="note">
    {{#alternatives}}<li class="data">{{host}} ({{user}}), onset {{onset}}: {{reason}}</li>
    {{/alternatives}}</ul>{{/hasAlternatives}}
    </div>
    {{/patientZero}}
    <ul class="figures">
    {{#figures}}<li><b>{{value}}</b><span>{{label}}</span></li>
    {{/figures}}
    </ul>
    </section>

    <section id="timeline">
    <h2>2. Outbreak timeline</h2>
    {{#hasTimeline}}
    {{#curveSVG}}<figure><div class="scroll">{{{curveSVG}}}</div></figure>
    {{/curveSVG}}
    <p class="note">Local times of the servers that logged each event.</p>
    <table>
    <thead><tr><th>Time</th><th>Event</th><th>Where</th></tr></thead>
    <tbody>
    {{#timeline}}<tr><td class="time">{{time}}</td><td class="data">{{text}}</td><td class="data mono">{{where}}</td></tr>
    {{/timeline}}
    </tbody>
    </table>
    {{#timelineMore}}<p class="note">{{.}}</p>{{/timelineMore}}
    {{/hasTimeline}}
    {{^hasTimeline}}<p>No worm outbreak was found in this archive, so there is no outbreak timeline.</p>{{/hasTimeline}}
    </section>

    <section id="tree">
    <h2>3. Infection tree</h2>
    {{#treeSVG}}
    <p>Who infected whom. Each row is an infected host, placed at its onset (its first worm message);
    a line runs from the host whose worm message infected it, and the small mark and time on the line
    show when that message was delivered to the mailbox read from the new host. Dashed lines are
    uncertain (confidence below 0.5). Patient zero is red. Hover a dot or a line for details.</p>
    <figure class="tall"><div class="scroll">{{{treeSVG}}}</div>
    <figcaption>{{treeCaption}}</figcaption></figure>
    {{/treeSVG}}
    {{^treeSVG}}<p>No infected hosts.</p>{{/treeSVG}}
    </section>

    <section id="bounces">
    <h2>4. Bounce flood</h2>
    {{#bounceSVG}}
    <p>{{bounceIntro}}</p>
    <figure><div class="scroll">{{{bounceSVG}}}</div>
    <figcaption>{{bounceCaption}}</figcaption></figure>
    {{/bounceSVG}}
    {{^bounceSVG}}<p>No bounces in this archive.</p>{{/bounceSVG}}
    {{#hasFloods}}
    <table>
    <thead><tr><th>Server</th><th>Start</th><th>End</th><th>Peak at</th><th class="num">Peak</th><th class="num">Bounces</th><th class="num">Usual per bucket</th></tr></thead>
    <tbody>
    {{#floods}}<tr><td class="data">{{server}}</td><td class="time">{{start}}</td><td class="time">{{end}}</td><td class="time">{{peakTime}}</td><td class="num">{{peak}}</td><td class="num">{{total}}</td><td class="num">{{baseline}}</td></tr>
    {{/floods}}
    </tbody>
    </table>
    {{/hasFloods}}
    </section>

    <section id="hosts">
    <h2>5. Worm log</h2>
    <p>Every internal client host that submitted mail or tried to, infected hosts first, then worst first.
    Click a column heading to sort.</p>
    <div class="scroll">
    <table class="sortable">
    <thead><tr><th><button type="button">Host</button></th><th><button type="button">Site</button></th><th><button type="button">Last user</button></th><th><button type="button">First seen</button></th><th><button type="button">Last seen</button></th><th class="num"><button type="button">Messages</button></th><th class="num"><button type="button">Recipients</button></th><th class="num"><button type="button">Forged</button></th><th class="num"><button type="button">Rejected</button></th><th class="num"><button type="button">Worm</button></th><th><button type="button">Onset</button></th></tr></thead>
    <tbody>
    {{#hosts}}<tr{{#infected}} class="infected"{{/infected}}><td class="data mono" data-v="{{sortIP}}">{{ip}}</td><td class="data site">{{site}}</td><td class="data">{{user}}</td><td class="time">{{firstSeen}}</td><td class="time">{{lastSeen}}</td><td class="num">{{messages}}</td><td class="num">{{recipients}}</td><td class="num">{{forged}}</td><td class="num">{{rejected}}</td><td class="num">{{worm}}</td><td class="time">{{onset}}</td></tr>
    {{/hosts}}
    </tbody>
    </table>
    </div>
    {{#hostsMore}}<p class="note">{{.}}</p>{{/hostsMore}}
    </section>

    <section id="forgeries">
    <h2>6. Forged senders</h2>
    {{#hasForgeries}}
    <p>Internal hosts that sent mail with an envelope sender outside the local domains. A milter that blocks a
    client at its first forged sender would have closed on each at the time shown, and refused what it sent after.</p>
    <div class="scroll">
    <table class="sortable">
    <thead><tr><th><button type="button">Host</button></th><th><button type="button">Site</button></th><th><button type="button">Block would latch</button></th><th><button type="button">First forged sender</button></th><th class="num"><button type="button">Forged</button></th><th class="num"><button type="button">Sent after</button></th><th><button type="button">Last seen</button></th></tr></thead>
    <tbody>
    {{#forgeries}}<tr{{#infected}} class="infected"{{/infected}}><td class="data mono" data-v="{{sortIP}}">{{host}}</td><td class="data site">{{site}}</td><td class="time">{{latchedAt}}</td><td class="data">{{sender}}<br><span class="note mono">{{server}} {{queueID}}</span></td><td class="num">{{forged}}</td><td class="num">{{after}}</td><td class="time">{{lastSeen}}</td></tr>
    {{/forgeries}}
    </tbody>
    </table>
    </div>
    {{#forgeriesMore}}<p class="note">{{.}}</p>{{/forgeriesMore}}
    {{/hasForgeries}}
    {{^hasForgeries}}<p>No internal host sent with a sender outside the local domains.</p>{{/hasForgeries}}
    </section>

    <section id="details">
    <h2>7. Infected hosts in detail</h2>
    {{#hasDetails}}
    <p>For each infected host, in onset order: how it was tied to its user, where its infection came from,
    and the log lines that show it, quoted as read (file and line number; control characters shown as
    <code>\\u{…}</code>).</p>
    {{#details}}
    <article class="host" id="host-{{anchor}}">
    <h3><span class="data mono">{{host}}</span> <span class="data">{{heading}}</span>{{#isRoot}} <span class="tag">patient zero</span>{{/isRoot}}</h3>
    <dl>
    <dt>Site</dt><dd class="data">{{site}}</dd>
    <dt>User</dt><dd class="data">{{user}}</dd>
    <dt>Onset</dt><dd>{{onset}}</dd>
    <dt>Infected by</dt><dd class="data">{{source}}</dd>
    {{#via}}<dt>Through</dt><dd class="data">{{.}}</dd>{{/via}}
    <dt>Worm messages</dt><dd>{{worm}}</dd>
    <dt>Confidence</dt><dd>{{confidence}}</dd>
    {{#alternatives}}<dt>Also possible</dt><dd class="data">{{.}}</dd>{{/alternatives}}
    </dl>
    <ol class="evidence">
    {{#evidence}}<li><span class="where">{{what}} — <span class="data mono">{{file}}:{{line}}</span></span><pre class="mono">{{text}}</pre></li>
    {{/evidence}}
    </ol>
    </article>
    {{/details}}
    {{#detailsMore}}<p class="note">{{.}}</p>{{/detailsMore}}
    {{/hasDetails}}
    {{^hasDetails}}<p>No infected hosts.</p>{{/hasDetails}}
    </section>

    <section id="method">
    <h2>8. Method and sources</h2>
    <p>mailtrace read the logs below into a SQLite database and answered each question from it alone.
    What the analysis assumed, and where it can be wrong:</p>
    <ul class="method">
    {{#method}}<li>{{.}}</li>
    {{/method}}
    </ul>
    <h3>Context given by the analyst</h3>
    <p class="data">Local mail domains: {{localDomains}}.</p>
    {{#hasSites}}<table><thead><tr><th>Network</th><th>Site</th></tr></thead><tbody>
    {{#sites}}<tr><td class="data mono">{{cidr}}</td><td class="data">{{site}}</td></tr>
    {{/sites}}</tbody></table>{{/hasSites}}
    <h3>Log files read</h3>
    <table>
    <thead><tr><th>File</th><th class="num">Lines</th><th class="num">Bytes</th><th>First line</th><th>Last line</th><th>Status</th></tr></thead>
    <tbody>
    {{#files}}<tr><td class="data mono">{{path}}</td><td class="num">{{lines}}</td><td class="num">{{size}}</td><td class="time">{{first}}</td><td class="time">{{last}}</td><td>{{status}}</td></tr>
    {{/files}}
    </tbody>
    </table>
    <p class="note">{{countsLine}}</p>
    </section>
    <footer>Written by mailtrace from the database alone; every fact above can be checked with
    <code>mailtrace patient-zero</code>, <code>spread</code>, <code>hosts</code>, <code>bounces</code>,
    <code>forgeries</code> and <code>message</code>.</footer>
    <script>{{{script}}}</script>
    </body>
    </html>

    """
}
