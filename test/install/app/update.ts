import { Tags } from 'aws-cdk-lib';
import { exampleApp } from './examples/example-app';

// the app's next version: every resource tagged, so each stack is updated.
const app = exampleApp();
Tags.of(app).add('release', '2');
app.synth();
