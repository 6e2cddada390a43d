// Forensics: the questions an incident asks, over an ingested store.
//
// Each question is a type with a static `fetch(_ db: Database, …)` that reads
// the store and returns plain values with their evidence lines. Nothing here
// prints or writes: the command line and the report render the values.
//
// | question                | type                  | command        |
// | ----------------------- | --------------------- | -------------- |
// | the worm log            | `WormLog`             | `hosts`        |
// | forged senders          | `ForgeryLog`          | `forgeries`    |
// | the worm and its hosts  | `Outbreak`            | (shared)       |
// | who infected whom       | `InfectionTree`       | `spread`       |
// | the first infected host | `PatientZeroFinding`  | `patient-zero` |
// | who mailed whom         | `MailTimeline`        | `timeline`     |
// | bounces and floods      | `BounceSeries`        | `bounces`      |
// | one message's path      | `MessageJourney`      | `message`      |
//
// The names differ from the command types of the executable on purpose, so
// that neither shadows the other. See docs/forensics.md for the method.
